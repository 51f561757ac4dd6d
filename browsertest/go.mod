module github.com/gatehouse-go/gatehouse/browsertest

go 1.26.0

require (
	github.com/chromedp/cdproto v0.159.0
	github.com/chromedp/chromedp v0.23.0
	github.com/gatehouse-go/gatehouse v0.0.0
	github.com/gatehouse-go/gatehouse/examples v0.0.0
)

require (
	github.com/go-json-experiment/json v0.0.0-20260213210345-44df1a37e875 // indirect
	github.com/golang-jwt/jwt/v5 v5.3.1 // indirect
	golang.org/x/crypto v0.58.0 // indirect
	golang.org/x/sys v0.49.0 // indirect
)

replace (
	github.com/gatehouse-go/gatehouse => ../
	github.com/gatehouse-go/gatehouse/examples => ../examples
	github.com/gatehouse-go/gatehouse/storage/redisstore => ../storage/redisstore
	github.com/gatehouse-go/gatehouse/storage/sqlstore => ../storage/sqlstore
)

replace github.com/gatehouse-go/gatehouse/report/xlsx => ../report/xlsx
