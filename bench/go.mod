module github.com/gatehouse-go/gatehouse/bench

go 1.25.0

require (
	github.com/casbin/casbin/v2 v2.135.0
	github.com/gatehouse-go/gatehouse v0.0.0
)

require (
	github.com/bmatcuk/doublestar/v4 v4.6.1 // indirect
	github.com/casbin/govaluate v1.3.0 // indirect
	github.com/golang-jwt/jwt/v5 v5.3.1 // indirect
	github.com/google/uuid v1.6.0 // indirect
	github.com/stretchr/testify v1.12.1 // indirect
)

replace github.com/gatehouse-go/gatehouse => ../
