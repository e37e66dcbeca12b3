// Copied unchanged from gofr-dev/gofr, pkg/gofr/datasource/kv-store/dynamodb/metrics.go at commit 59010215a383b651fd80674e1c7b5f32f4b56a11
// (Apache License 2.0). Only this comment is ours; see bench/gofr/README.md.

package dynamodb

import (
	"context"
)

type Metrics interface {
	NewHistogram(name, desc string, buckets ...float64)
	RecordHistogram(ctx context.Context, name string, value float64, labels ...string)
}
