package token

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"os"
)

// maxKeyFile bounds what [LoadKeyFile] reads.
const maxKeyFile = 1 << 20

// ParsePEM returns the key in the first PEM block of data that holds one
// (an "EC PARAMETERS" block before a SEC1 key is skipped):
//
//   - "PRIVATE KEY" (PKCS#8): Ed25519, ECDSA P-256 or RSA;
//   - "RSA PRIVATE KEY" (PKCS#1) and "EC PRIVATE KEY" (SEC1);
//   - "PUBLIC KEY" (PKIX) and "RSA PUBLIC KEY" (PKCS#1), giving a
//     verify-only key (see [NewPublicKey]).
//
// Encrypted PEM is refused. The key must meet the rules of its
// constructor ([NewEd25519Key], [NewECDSAKey], [NewRSAKey]); errors wrap
// [ErrInvalidKey]. An empty kid is derived (see [Key]).
func ParsePEM(kid string, data []byte) (*Key, error) {
	rest := data
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return nil, fmt.Errorf("%w: no PEM key block", ErrInvalidKey)
		}
		if block.Type == "EC PARAMETERS" {
			continue
		}
		if _, ok := block.Headers["Proc-Type"]; ok || block.Type == "ENCRYPTED PRIVATE KEY" {
			return nil, fmt.Errorf("%w: encrypted PEM is not supported", ErrInvalidKey)
		}
		return parseBlock(kid, block)
	}
}

func parseBlock(kid string, block *pem.Block) (*Key, error) {
	var (
		parsed any
		err    error
	)
	switch block.Type {
	case "PRIVATE KEY":
		parsed, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		parsed, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		parsed, err = x509.ParseECPrivateKey(block.Bytes)
	case "PUBLIC KEY":
		parsed, err = x509.ParsePKIXPublicKey(block.Bytes)
	case "RSA PUBLIC KEY":
		parsed, err = x509.ParsePKCS1PublicKey(block.Bytes)
	default:
		return nil, fmt.Errorf("%w: unsupported PEM block %q", ErrInvalidKey, block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrInvalidKey, block.Type, err)
	}
	switch k := parsed.(type) {
	case ed25519.PrivateKey:
		return NewEd25519Key(kid, k)
	case *ecdsa.PrivateKey:
		return NewECDSAKey(kid, k)
	case *rsa.PrivateKey:
		return NewRSAKey(kid, k)
	default:
		return NewPublicKey(kid, k)
	}
}

// LoadKeyFile reads a key from the file at path. A file that holds a PEM
// block ("-----BEGIN ") is read with [ParsePEM]; any other file is an
// HMAC secret for [NewHMACKey], taken byte for byte: nothing is trimmed,
// so a trailing newline is part of the secret. Files over 1 MiB are
// refused. An empty kid is derived (see [Key]).
func LoadKeyFile(kid, path string) (*Key, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("token: load key: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	if err != nil {
		return nil, fmt.Errorf("token: load key: %w", err)
	}
	if len(data) > maxKeyFile {
		return nil, fmt.Errorf("%w: key file %s is over %d bytes", ErrInvalidKey, path, maxKeyFile)
	}
	if bytes.Contains(data, []byte("-----BEGIN ")) {
		return ParsePEM(kid, data)
	}
	return NewHMACKey(kid, data)
}
