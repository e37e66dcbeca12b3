// Copied unchanged from gofr-dev/gofr, pkg/gofr/datasource/kv-store/dynamodb/logger.go at commit 59010215a383b651fd80674e1c7b5f32f4b56a11
// (Apache License 2.0). Only this comment is ours; see bench/gofr/README.md.

package dynamodb

import (
	"fmt"
	"io"
)

type Logger interface {
	Debug(args ...any)
	Debugf(pattern string, args ...any)
	Info(args ...any)
	Infof(pattern string, args ...any)
	Error(args ...any)
	Errorf(pattern string, args ...any)
}

type Log struct {
	Type     string `json:"type"`
	Duration int64  `json:"duration"`
	Key      string `json:"key"`
	Value    string `json:"value,omitempty"`
}

func (l *Log) PrettyPrint(writer io.Writer) {
	fmt.Fprintf(writer, "\u001B[38;5;8m%-32s \u001B[38;5;162m%-6s\u001B[0m %8d\u001B[38;5;8mµs\u001B[0m %s \n",
		l.Type, "DYNMO", l.Duration, l.Key+" "+l.Value)
}
