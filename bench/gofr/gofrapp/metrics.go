package gofrapp

import (
	"context"
	"fmt"
	"sync"

	"github.com/prometheus/otlptranslator"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/prometheus"
	"go.opentelemetry.io/otel/metric"
	metricSdk "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	semconv "go.opentelemetry.io/otel/semconv/v1.17.0"
)

// prometheusMeter is gofr's exporters.Prometheus (pkg/gofr/metrics/exporters/exporter.go, commit
// 04259e121): an OpenTelemetry meter whose reader is the Prometheus exporter, registered with
// client_golang's default registry (what GoFr's /metrics serves).
func prometheusMeter(appName, appVersion string) metric.Meter {
	exporter, err := prometheus.New(
		prometheus.WithoutTargetInfo(),
		prometheus.WithTranslationStrategy(otlptranslator.NoTranslation))
	if err != nil {
		return nil
	}

	return metricSdk.NewMeterProvider(
		metricSdk.WithReader(exporter),
		metricSdk.WithResource(resource.NewWithAttributes(
			semconv.SchemaURL,
			semconv.ServiceNameKey.String(appName),
			attribute.String("framework_version", "dev"),
		))).Meter(appName, metric.WithInstrumentationVersion(appVersion))
}

// metricsManager is gofr's metricsManager and its store (pkg/gofr/metrics/register.go at commit
// 8e1308a6d, store.go at cc348c020) trimmed to histograms, the only kind the driver uses: the same map
// behind a RWMutex, the same label checks and attribute building on every RecordHistogram.
type metricsManager struct {
	meter  metric.Meter
	store  *store
	logger *logger
}

type store struct {
	mu        sync.RWMutex
	histogram map[string]metric.Float64Histogram
}

func newMetricsManager(meter metric.Meter, log *logger) *metricsManager {
	return &metricsManager{meter: meter, store: &store{histogram: make(map[string]metric.Float64Histogram)}, logger: log}
}

func (m *metricsManager) NewHistogram(name, desc string, buckets ...float64) {
	histogram, err := m.meter.Float64Histogram(name, metric.WithDescription(desc),
		metric.WithExplicitBucketBoundaries(buckets...))
	if err != nil {
		m.logger.Error(err)

		return
	}

	err = m.store.setHistogram(name, histogram)
	if err != nil {
		m.logger.Error(err)
	}
}

func (m *metricsManager) RecordHistogram(ctx context.Context, name string, value float64, labels ...string) {
	histogram, err := m.store.getHistogram(name)
	if err != nil {
		m.logger.Error(err)

		return
	}

	histogram.Record(ctx, value, metric.WithAttributes(m.getAttributes(name, labels...)...))
}

func (m *metricsManager) getAttributes(name string, labels ...string) []attribute.KeyValue {
	labelsCount := len(labels)
	if labelsCount%2 != 0 {
		m.logger.Warnf("metrics %v label has invalid key-value pairs", name)
	}

	cardinalityLimit := 20
	if labelsCount > cardinalityLimit {
		m.logger.Warnf("metrics %v has high cardinality: %v", name, labelsCount)
	}

	var attributes []attribute.KeyValue

	if labels != nil {
		for i := 0; i < len(labels)-1; i += 2 {
			attributes = append(attributes, attribute.String(labels[i], labels[i+1]))
		}
	}

	return attributes
}

func (s *store) getHistogram(name string) (metric.Float64Histogram, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()

	m, ok := s.histogram[name]
	if !ok {
		return nil, fmt.Errorf("Metrics %v is not registered", name)
	}

	return m, nil
}

func (s *store) setHistogram(name string, m metric.Float64Histogram) error {
	s.mu.Lock()
	defer s.mu.Unlock()

	if _, ok := s.histogram[name]; ok {
		return fmt.Errorf("Metrics %v already registered", name)
	}

	s.histogram[name] = m

	return nil
}
