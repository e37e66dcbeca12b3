// Package gofrapp gives the copied driver what `gofr.New()` and `app.AddKVStore(db)` give it in a GoFr
// app: GoFr's logger (level INFO, JSON lines), GoFr's metrics manager over an OpenTelemetry meter with
// the Prometheus exporter, and the tracer of GoFr's default provider (no exporter: NeverSample). Each
// file says which GoFr file it follows; bench/gofr/README.md lists what differs.
package gofrapp

import (
	"go.opentelemetry.io/otel"
)

// App holds what a GoFr app's container holds for a datasource.
type App struct {
	logger  *logger
	metrics *metricsManager
}

// New builds the logger, the metrics manager and the default tracer provider, as gofr.New() does with
// no LOG_LEVEL, no TRACE_EXPORTER and the default app name.
func New() *App {
	log := newLogger(INFO)
	initTracer()

	return &App{logger: log, metrics: newMetricsManager(prometheusMeter("gofr-app", "dev"), log)}
}

// AddKVStore wires a datasource as gofr's App.AddKVStore does (pkg/gofr/external_db.go,
// instrumentDatasource): logger, metrics, the "gofr-kvstore" tracer, then Connect.
func (a *App) AddKVStore(ds any) {
	if l, ok := ds.(interface{ UseLogger(any) }); ok {
		l.UseLogger(a.logger)
	}

	if m, ok := ds.(interface{ UseMetrics(any) }); ok {
		m.UseMetrics(a.metrics)
	}

	if t, ok := ds.(interface{ UseTracer(any) }); ok {
		t.UseTracer(otel.GetTracerProvider().Tracer("gofr-kvstore"))
	}

	if c, ok := ds.(interface{ Connect() }); ok {
		c.Connect()
	}
}
