# Every module of the repository; go.work ties them together for development.
MODULES := . ./examples ./bench ./storage/sqlstore ./storage/redisstore ./report/xlsx ./apitest ./tools/docsgen ./browsertest ./otel
# Fuzz targets run briefly by `make fuzz` (package:target). FUZZTIME is a
# duration (10s) or a count of inputs (8000x); CI uses a count, which Go
# 1.26's fuzz coordinator cannot fail at a deadline (go.dev/issue/75804).
FUZZTIME ?= 10s

.PHONY: test vet race fuzz bench lint docs

test: vet race

# api/openapi.yaml and api/file_en.html are generated from api/openapi.json
# (by tools/docsgen): run this after editing it, and commit all three.
docs:
	go generate .

vet:
	@set -e; for m in $(MODULES); do echo "== go vet $$m"; (cd $$m && go vet ./...); done

race:
	@set -e; for m in $(MODULES); do echo "== go test -race $$m"; (cd $$m && go test -race -count=1 ./...); done

# staticcheck in every module (install: go install honnef.co/go/tools/cmd/staticcheck@v0.8.2).
STATICCHECK ?= staticcheck
lint:
	@set -e; for m in $(MODULES); do echo "== staticcheck $$m"; (cd $$m && $(STATICCHECK) ./...); done

fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do pkg=$${t%%:*}; name=$${t##*:}; \
		echo "== fuzz $$name ($$pkg)"; go test -run='^$$' -fuzz="^$$name$$" -fuzztime=$(FUZZTIME) $$pkg; done

FUZZ_TARGETS := ./datafile:FuzzParse .:FuzzAuthenticateCredentials .:FuzzIsLocalPath ./permissions:FuzzParseTarget ./token:FuzzVerify ./token:FuzzDecodeObject ./permissions:FuzzParseRowValue .:FuzzSessionDocumentEncoding
