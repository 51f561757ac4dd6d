module github.com/gatehouse-go/gatehouse/examples

go 1.25.0

require (
	github.com/gatehouse-go/gatehouse v0.0.0
	github.com/stretchr/testify v1.12.1
)

require (
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	golang.org/x/crypto v0.55.0 // indirect
	golang.org/x/sys v0.47.0 // indirect
)

replace github.com/gatehouse-go/gatehouse => ../
