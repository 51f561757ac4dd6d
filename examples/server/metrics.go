package main

import (
	"context"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	otelprometheus "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"

	ghotel "github.com/gatehouse-go/gatehouse/otel"
)

// metricsServer serves the gatehouse metrics as Prometheus text at
// /metrics, through the OpenTelemetry Prometheus exporter, on a listener
// of its own: metrics stay off the API's address, whose callers need not
// see them.
type metricsServer struct {
	addr     string
	ln       net.Listener
	srv      *http.Server
	provider *sdkmetric.MeterProvider
	obs      *ghotel.Observer
}

func newMetricsServer(addr string) (*metricsServer, error) {
	reg := prometheus.NewRegistry()
	exporter, err := otelprometheus.New(otelprometheus.WithRegisterer(reg), otelprometheus.WithoutTargetInfo())
	if err != nil {
		return nil, err
	}
	provider := sdkmetric.NewMeterProvider(sdkmetric.WithReader(exporter))
	obs, err := ghotel.New(ghotel.Config{MeterProvider: provider})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	return &metricsServer{
		addr: ln.Addr().String(), ln: ln, provider: provider, obs: obs,
		srv: &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, WriteTimeout: 30 * time.Second},
	}, nil
}

// observer returns the Observer to give gatehouse; nil for a nil server.
func (m *metricsServer) observer() *ghotel.Observer {
	if m == nil {
		return nil
	}
	return m.obs
}

// serve serves until close, sending a failure to errc.
func (m *metricsServer) serve(errc chan<- error) {
	if err := m.srv.Serve(m.ln); err != nil && err != http.ErrServerClosed {
		errc <- err
	}
}

func (m *metricsServer) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = m.srv.Shutdown(ctx)
	_ = m.ln.Close()
	_ = m.provider.Shutdown(ctx)
}
