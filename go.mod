module github.com/gatehouse-go/gatehouse

go 1.25.0
