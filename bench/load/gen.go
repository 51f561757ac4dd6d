package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// request is one prepared HTTP/1.1 GET: the bytes sent on the wire, and
// what the answer must be for the request to count as served.
type request struct {
	// addr is the server's host:port on loopback.
	addr string
	// wire is the request as sent, Host and credential included.
	wire []byte
	// status and body are the answer expected; any other answer is an
	// error of the round.
	status int
	body   []byte
}

// newRequest prepares GET path on addr with the given extra header lines
// ("Cookie: SID=…", "Authorization: Bearer …"), expecting status and body.
func newRequest(addr, path string, headers []string, status int, body []byte) *request {
	var b bytes.Buffer
	fmt.Fprintf(&b, "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: gatehouse-bench-load\r\n", path, addr)
	for _, h := range headers {
		b.WriteString(h)
		b.WriteString("\r\n")
	}
	b.WriteString("\r\n")
	return &request{addr: addr, wire: b.Bytes(), status: status, body: body}
}

// result is what one round against one server measured from the client
// side.
type result struct {
	// ok counts the answers with the expected status and body; bad the
	// others and the transport errors, of which firstErr is the first.
	ok, bad  int
	firstErr error
	// elapsed runs from the start signal to the end of the last worker's
	// last request (each worker sends no request after the deadline, and
	// finishes the one in flight).
	elapsed time.Duration
	// latencies are those of the ok requests, from the first byte written
	// to the last byte of the body read.
	latencies []time.Duration
}

// rps is the round's throughput: served requests per second.
func (r result) rps() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(r.ok) / r.elapsed.Seconds()
}

// generate opens conns keep-alive connections to req.addr (before the
// clock starts), then has each send req, one request after the other,
// until d has passed or stop is set, whichever is first (d ≤ 0: until
// stop). The client is a minimal HTTP/1.1 one — a prepared request, a
// response parser that reads the status line, the framing headers and the
// body — so that as much as possible of the machine's CPU goes to the
// servers, as with wrk.
func generate(req *request, conns int, d time.Duration, stop *atomic.Bool) (result, error) {
	if stop == nil {
		stop = new(atomic.Bool)
	}
	cs := make([]net.Conn, 0, conns)
	defer func() {
		for _, c := range cs {
			c.Close()
		}
	}()
	for range conns {
		c, err := net.Dial("tcp", req.addr)
		if err != nil {
			return result{}, err
		}
		cs = append(cs, c)
	}
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		parts = make([]result, conns)
		done  atomic.Bool
	)
	for i := range cs {
		wg.Go(func() { parts[i] = worker(req, &cs[i], start, &done, stop) })
	}
	t0 := time.Now()
	if d > 0 {
		timer := time.AfterFunc(d, func() { done.Store(true) })
		defer timer.Stop()
	}
	close(start)
	wg.Wait()
	res := result{elapsed: time.Since(t0)}
	n := 0
	for _, p := range parts {
		n += len(p.latencies)
	}
	res.latencies = make([]time.Duration, 0, n)
	for _, p := range parts {
		res.ok += p.ok
		res.bad += p.bad
		if res.firstErr == nil {
			res.firstErr = p.firstErr
		}
		res.latencies = append(res.latencies, p.latencies...)
	}
	return res, nil
}

// worker sends req over *conn until done or stop is set, redialling after
// a transport error or a server's Connection: close.
func worker(req *request, conn *net.Conn, start <-chan struct{}, done, stop *atomic.Bool) result {
	var (
		res  = result{latencies: make([]time.Duration, 0, 4096)}
		br   = bufio.NewReaderSize(*conn, 32<<10)
		body = make([]byte, 0, len(req.body)+512)
	)
	fail := func(err error) {
		res.bad++
		if res.firstErr == nil {
			res.firstErr = err
		}
	}
	<-start
	for !done.Load() && !stop.Load() {
		t := time.Now()
		_, err := (*conn).Write(req.wire)
		var (
			status int
			keep   bool
		)
		if err == nil {
			status, body, keep, err = readResponse(br, body[:0])
		}
		lat := time.Since(t)
		switch {
		case err != nil:
			fail(err)
		case status != req.status:
			fail(fmt.Errorf("status %d, want %d: %.200q", status, req.status, body))
		case req.body != nil && !bytes.Equal(body, req.body):
			fail(fmt.Errorf("body differs from the expected one: %.200q", body))
		default:
			res.ok++
			res.latencies = append(res.latencies, lat)
		}
		if err != nil || !keep {
			(*conn).Close()
			c, derr := net.Dial("tcp", req.addr)
			if derr != nil {
				fail(derr)
				return res
			}
			*conn = c
			br.Reset(c)
		}
	}
	return res
}

// errMalformed is a response the parser does not understand.
var errMalformed = errors.New("malformed HTTP response")

// readResponse reads one HTTP/1.1 response from br, appending its body to
// body. keep reports whether the connection may carry another request.
func readResponse(br *bufio.Reader, body []byte) (status int, _ []byte, keep bool, err error) {
	line, err := br.ReadSlice('\n')
	if err != nil {
		return 0, body, false, err
	}
	// "HTTP/1.1 200 OK\r\n"
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) {
		return 0, body, false, fmt.Errorf("%w: status line %q", errMalformed, line)
	}
	status, err = strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, body, false, fmt.Errorf("%w: status line %q", errMalformed, line)
	}
	keep = line[7] == '1'
	length, chunked := -1, false
	for {
		line, err = br.ReadSlice('\n')
		if err != nil {
			return status, body, false, err
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			break
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return status, body, false, fmt.Errorf("%w: header %q", errMalformed, line)
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if length, err = strconv.Atoi(string(value)); err != nil || length < 0 {
				return status, body, false, fmt.Errorf("%w: Content-Length %q", errMalformed, value)
			}
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			chunked = bytes.EqualFold(value, []byte("chunked"))
		case bytes.EqualFold(name, []byte("Connection")):
			if bytes.EqualFold(value, []byte("close")) {
				keep = false
			}
		}
	}
	switch {
	case chunked:
		body, err = readChunked(br, body)
		return status, body, keep, err
	case length >= 0:
		n := len(body)
		body = append(body, make([]byte, length)...)
		_, err = io.ReadFull(br, body[n:])
		return status, body, keep, err
	case status == 204 || status == 304 || status/100 == 1:
		return status, body, keep, nil
	default: // the body runs to the end of the connection
		rest, err := io.ReadAll(br)
		return status, append(body, rest...), false, err
	}
}

// readChunked reads a chunked body (and its trailer) from br.
func readChunked(br *bufio.Reader, body []byte) ([]byte, error) {
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return body, err
		}
		size, _, _ := bytes.Cut(bytes.TrimRight(line, "\r\n"), []byte(";"))
		n, err := strconv.ParseUint(string(size), 16, 31)
		if err != nil {
			return body, fmt.Errorf("%w: chunk size %q", errMalformed, line)
		}
		if n == 0 {
			for { // trailer
				line, err := br.ReadSlice('\n')
				if err != nil {
					return body, err
				}
				if len(bytes.TrimRight(line, "\r\n")) == 0 {
					return body, nil
				}
			}
		}
		k := len(body)
		body = append(body, make([]byte, n+2)...)
		if _, err := io.ReadFull(br, body[k:]); err != nil {
			return body, err
		}
		body = body[:len(body)-2] // the chunk's CRLF
	}
}
