package gofrapp

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"
)

// Level, logger and logEntry follow gofr's pkg/gofr/logging (level.go, logger.go at commit 7c10482a3),
// trimmed to the methods the driver and the metrics manager call, and to the JSON output GoFr writes
// when stdout is not a terminal. The driver logs every operation at DEBUG; at INFO that is a level check.
type Level int

const (
	DEBUG Level = iota + 1
	INFO
	NOTICE
	WARN
	ERROR
	FATAL
)

func (l Level) String() string {
	switch l {
	case DEBUG:
		return "DEBUG"
	case INFO:
		return "INFO"
	case NOTICE:
		return "NOTICE"
	case WARN:
		return "WARN"
	case ERROR:
		return "ERROR"
	case FATAL:
		return "FATAL"
	default:
		return ""
	}
}

func (l Level) MarshalJSON() ([]byte, error) {
	return []byte(`"` + l.String() + `"`), nil
}

type logger struct {
	level     Level
	normalOut io.Writer
	errorOut  io.Writer
}

type logEntry struct {
	Level       Level     `json:"level"`
	Time        time.Time `json:"time"`
	Message     any       `json:"message"`
	TraceID     string    `json:"trace_id,omitempty"`
	GofrVersion string    `json:"gofrVersion"`
}

func newLogger(level Level) *logger {
	return &logger{level: level, normalOut: os.Stdout, errorOut: os.Stderr}
}

// logf takes args as a slice, not variadic, so that go vet does not read it as a printf wrapper
// (GoFr's is variadic; the calls are the same).
func (l *logger) logf(level Level, format string, args []any) {
	if level < l.level {
		return
	}

	out := l.normalOut
	if level >= ERROR {
		out = l.errorOut
	}

	entry := logEntry{Level: level, Time: time.Now(), GofrVersion: "dev"}

	switch {
	case len(args) == 1 && format == "":
		entry.Message = args[0]
	case len(args) != 1 && format == "":
		entry.Message = args
	case format != "":
		entry.Message = fmt.Sprintf(format, args...)
	}

	_ = json.NewEncoder(out).Encode(entry)
}

func (l *logger) Debug(args ...any)                 { l.logf(DEBUG, "", args) }
func (l *logger) Debugf(format string, args ...any) { l.logf(DEBUG, format, args) }
func (l *logger) Info(args ...any)                  { l.logf(INFO, "", args) }
func (l *logger) Infof(format string, args ...any)  { l.logf(INFO, format, args) }
func (l *logger) Warn(args ...any)                  { l.logf(WARN, "", args) }
func (l *logger) Warnf(format string, args ...any)  { l.logf(WARN, format, args) }
func (l *logger) Error(args ...any)                 { l.logf(ERROR, "", args) }
func (l *logger) Errorf(format string, args ...any) { l.logf(ERROR, format, args) }
