// Command kvbench measures the copied GoFr driver the way bench/measure.mjs measures the Node clients:
// `-ops` operations (after `-warmup` unmeasured ones) from `-callers` concurrent loops over one client,
// keys bench-key-<i mod -keys>. It prints one JSON line (the last line of stdout): ops/s, p50/p99
// latency, and this process's CPU (user + system, getrusage) per operation over the measured window.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"nestjs-dynamodb-kv/bench/gofr/dynamodb"
	"nestjs-dynamodb-kv/bench/gofr/gofrapp"
	"nestjs-dynamodb-kv/bench/gofr/localenv"
)

type result struct {
	Op             string  `json:"op"`
	Callers        int     `json:"callers"`
	Ops            int     `json:"ops"`
	OpsPerSecond   float64 `json:"opsPerSecond"`
	CPUMicrosPerOp float64 `json:"cpuMicrosPerOp"`
	P50Ms          float64 `json:"p50Ms"`
	P99Ms          float64 `json:"p99Ms"`
	PeakRssMb      float64 `json:"peakRssMb"`
}

func main() {
	endpoint := flag.String("endpoint", "", "the DynamoDB endpoint, http://127.0.0.1:<port>")
	table := flag.String("table", "bench", "a table with a string partition key pk, holding the keys for get")
	op := flag.String("op", "get", "get or set")
	callers := flag.Int("callers", 1, "concurrent loops (1 to 1024)")
	ops := flag.Int("ops", 3000, "measured operations (1 to 10,000,000)")
	warmup := flag.Int("warmup", 200, "unmeasured operations first (0 to 1,000,000)")
	keys := flag.Int("keys", 1000, "distinct keys (1 to 1,000,000)")
	valueBytes := flag.Int("value-bytes", 100, "bytes in each value set (1 to 400,000)")
	flag.Parse()

	if err := run(*endpoint, *table, *op, *callers, *ops, *warmup, *keys, *valueBytes); err != nil {
		fmt.Fprintln(os.Stderr, "kvbench:", err)
		os.Exit(1)
	}
}

func run(endpoint, table, op string, callers, ops, warmup, keys, valueBytes int) error {
	switch {
	case op != "get" && op != "set":
		return fmt.Errorf("-op must be get or set (got %q)", op)
	case callers < 1 || callers > 1024:
		return fmt.Errorf("-callers must be 1 to 1024 (got %d)", callers)
	case ops < 1 || ops > 10_000_000:
		return fmt.Errorf("-ops must be 1 to 10,000,000 (got %d)", ops)
	case warmup < 0 || warmup > 1_000_000:
		return fmt.Errorf("-warmup must be 0 to 1,000,000 (got %d)", warmup)
	case keys < 1 || keys > 1_000_000:
		return fmt.Errorf("-keys must be 1 to 1,000,000 (got %d)", keys)
	case valueBytes < 1 || valueBytes > 400_000:
		return fmt.Errorf("-value-bytes must be 1 to 400,000 (got %d)", valueBytes)
	}

	if err := localenv.Prepare(endpoint); err != nil {
		return err
	}

	db := dynamodb.New(dynamodb.Configs{Table: table, Region: localenv.Region, Endpoint: endpoint})
	gofrapp.New().AddKVStore(db)

	value := strings.Repeat("v", valueBytes)
	call := func(ctx context.Context, index int) error {
		key := fmt.Sprintf("bench-key-%d", index%keys)
		if op == "get" {
			_, err := db.Get(ctx, key)
			return err
		}

		return db.Set(ctx, key, value)
	}

	if err := loops(call, warmup, callers, nil); err != nil {
		return fmt.Errorf("warm-up: %w", err)
	}

	latencies := make([]time.Duration, ops)
	before, err := cpuTime()
	if err != nil {
		return err
	}

	started := time.Now()
	if err := loops(call, ops, callers, latencies); err != nil {
		return err
	}

	elapsed := time.Since(started)
	after, err := cpuTime()
	if err != nil {
		return err
	}

	slices.Sort(latencies)
	at := func(quantile float64) float64 {
		return float64(latencies[min(ops-1, int(quantile*float64(ops)))]) / float64(time.Millisecond)
	}

	var usage syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &usage)

	return json.NewEncoder(os.Stdout).Encode(result{
		Op:             op,
		Callers:        callers,
		Ops:            ops,
		OpsPerSecond:   float64(ops) / elapsed.Seconds(),
		CPUMicrosPerOp: float64(after-before) / float64(time.Microsecond) / float64(ops),
		P50Ms:          at(0.5),
		P99Ms:          at(0.99),
		PeakRssMb:      float64(usage.Maxrss) / 1024, // kilobytes on Linux
	})
}

// loops runs call for indexes 0..ops-1 from callers goroutines, each taking the next index, and
// records each call's latency when latencies is given. The first error stops every loop.
func loops(call func(context.Context, int) error, ops, callers int, latencies []time.Duration) error {
	var next atomic.Int64
	var failure atomic.Pointer[error]
	var group sync.WaitGroup

	ctx := context.Background()
	for range callers {
		group.Go(func() {
			for index := int(next.Add(1) - 1); index < ops && failure.Load() == nil; index = int(next.Add(1) - 1) {
				started := time.Now()
				if err := call(ctx, index); err != nil {
					failure.CompareAndSwap(nil, &err)
					return
				}

				if latencies != nil {
					latencies[index] = time.Since(started)
				}
			}
		})
	}

	group.Wait()
	if err := failure.Load(); err != nil {
		return errors.Join(fmt.Errorf("an operation failed"), *err)
	}

	return nil
}

// cpuTime is this process's user + system CPU time so far.
func cpuTime() (time.Duration, error) {
	var usage syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &usage); err != nil {
		return 0, fmt.Errorf("getrusage: %w", err)
	}

	return time.Duration(usage.Utime.Nano() + usage.Stime.Nano()), nil
}
