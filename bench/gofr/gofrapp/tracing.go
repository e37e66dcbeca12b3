package gofrapp

import (
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// initTracer follows gofr's App.initTracer (pkg/gofr/otel.go, commit 8e1308a6d) with no TRACE_EXPORTER:
// the W3C propagators, and an SDK provider that never samples. Every operation still starts a span (a
// fresh trace and span ID), which records nothing.
func initTracer() {
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
	otel.SetTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.NeverSample())))
}
