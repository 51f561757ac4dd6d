module github.com/gatehouse-go/gatehouse/examples

go 1.25.0

require github.com/gatehouse-go/gatehouse v0.0.0

replace github.com/gatehouse-go/gatehouse => ../
