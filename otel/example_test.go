package otel_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/gatehouse-go/gatehouse"
	"github.com/gatehouse-go/gatehouse/otel"
	"github.com/gatehouse-go/gatehouse/session"
	"github.com/gatehouse-go/gatehouse/storage/memstore"
)

// Observe a Gatehouse: the Observer in the Config, the store wrapped. A
// real deployment passes its own MeterProvider and TracerProvider (or sets
// the global ones); here a manual reader shows what a failed login counted.
func ExampleNew() {
	reader := sdkmetric.NewManualReader()
	o, err := otel.New(otel.Config{MeterProvider: sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))})
	if err != nil {
		panic(err)
	}
	g, err := gatehouse.New(gatehouse.Config{
		Store:    otel.WrapStore(memstore.New(memstore.Config{}), o),
		Observer: o,
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		panic(err)
	}
	defer g.Close()

	_, err = g.Sessions().Login(context.Background(), session.LoginRequest{Username: "mallory", Password: "guess"})
	fmt.Println(errors.Is(err, session.ErrInvalidCredentials))

	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		panic(err)
	}
	for _, m := range rm.ScopeMetrics[0].Metrics {
		if sum, ok := m.Data.(metricdata.Sum[int64]); ok && m.Name == otel.MetricLogins {
			for _, dp := range sum.DataPoints {
				outcome, _ := dp.Attributes.Value(otel.KeyLoginOutcome)
				fmt.Println(m.Name, outcome.AsString(), dp.Value)
			}
		}
	}
	// Output:
	// true
	// gatehouse.login.attempts invalid 1
}
