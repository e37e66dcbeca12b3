// Command kvhttp is a Go net/http app over the copied GoFr driver, answering GET and PUT /kv/{key} as the
// sample app does (sample-app/src/kv/, http/body-parsers.ts), for the HTTP rows of bench/gofr.bench.mjs.
// It prints `listening http://127.0.0.1:<port>` once it listens, and stops on SIGTERM or SIGINT.
package main

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"nestjs-dynamodb-kv/bench/gofr/dynamodb"
	"nestjs-dynamodb-kv/bench/gofr/gofrapp"
	"nestjs-dynamodb-kv/bench/gofr/localenv"
)

// The sample app's default body limit (sample-app/src/sample.config.ts).
const bodyLimitBytes = 4 * 1024 * 1024

func main() {
	endpoint := flag.String("endpoint", "", "the DynamoDB endpoint, http://127.0.0.1:<port>")
	table := flag.String("table", "bench-gofr", "a table with a string partition key pk")
	port := flag.Int("port", 0, "the port to listen on, on 127.0.0.1 (0: any free port)")
	flag.Parse()

	if err := serve(*endpoint, *table, *port); err != nil {
		fmt.Fprintln(os.Stderr, "kvhttp:", err)
		os.Exit(1)
	}
}

func serve(endpoint, table string, port int) error {
	if err := localenv.Prepare(endpoint); err != nil {
		return err
	}

	db := dynamodb.New(dynamodb.Configs{Table: table, Region: localenv.Region, Endpoint: endpoint})
	gofrapp.New().AddKVStore(db)

	kv := &kvRoutes{db: db, table: table}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /kv/{key}", kv.get)
	mux.HandleFunc("PUT /kv/{key}", kv.put)
	mux.HandleFunc("GET /health", kv.health)
	mux.Handle("GET /metrics", promhttp.Handler())

	listener, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return err
	}

	server := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 60 * time.Second}
	stopped := make(chan error, 1)
	go func() {
		signals := make(chan os.Signal, 1)
		signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
		<-signals
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		stopped <- server.Shutdown(ctx)
	}()

	fmt.Printf("listening http://%s\n", listener.Addr())
	if err := server.Serve(listener); !errors.Is(err, http.ErrServerClosed) {
		return err
	}

	return <-stopped
}

type kvRoutes struct {
	db    *dynamodb.Client
	table string
}

// get answers the value as the body, labelled JSON when it parses as JSON, with its SHA-256 ETag.
func (k *kvRoutes) get(w http.ResponseWriter, r *http.Request) {
	value, err := k.db.Get(r.Context(), r.PathValue("key"))
	if err != nil {
		k.fail(w, err)
		return
	}

	contentType := "text/plain; charset=utf-8"
	if json.Valid([]byte(value)) {
		contentType = "application/json; charset=utf-8"
	}

	sum := sha256.Sum256([]byte(value))
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Etag", `"`+base64.RawURLEncoding.EncodeToString(sum[:])+`"`)
	_, _ = io.WriteString(w, value)
}

// put stores the body exactly as sent: text/plain or application/json, UTF-8, JSON checked; 204.
func (k *kvRoutes) put(w http.ResponseWriter, r *http.Request) {
	value, status, code, message := requestValue(r)
	if status != 0 {
		reply(w, status, code, message)
		return
	}

	if err := k.db.Set(r.Context(), r.PathValue("key"), value); err != nil {
		k.fail(w, err)
		return
	}

	w.WriteHeader(http.StatusNoContent)
}

func (k *kvRoutes) health(w http.ResponseWriter, r *http.Request) {
	health, err := k.db.HealthCheck(r.Context())
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
	}

	_ = json.NewEncoder(w).Encode(health)
}

// fail maps the driver's errors as the sample app maps the store's: a missing key is 404, anything else
// is on the server's side, 503 (GoFr's driver hands back the SDK's error as it is, so no finer mapping).
func (k *kvRoutes) fail(w http.ResponseWriter, err error) {
	if errors.Is(err, dynamodb.ErrKeyNotFound) {
		reply(w, http.StatusNotFound, "KEY_NOT_FOUND", fmt.Sprintf("No value is stored under the given key in table '%s'.", k.table))
		return
	}

	reply(w, http.StatusServiceUnavailable, "UNAVAILABLE", "DynamoDB did not answer the request.")
}

// requestValue reads the body as sample-app/src/http/body-parsers.ts and kv/request-value.ts do; a
// non-zero status is the refusal to answer.
func requestValue(r *http.Request) (value string, status int, code, message string) {
	header := r.Header.Get("Content-Type")
	if header == "" {
		return "", http.StatusBadRequest, "MISSING_CONTENT_TYPE", "Send the value as the request body, as text/plain or application/json."
	}

	mediaType, params, err := mime.ParseMediaType(header)
	if err != nil || (mediaType != "text/plain" && mediaType != "application/json") {
		return "", http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE", "Send the value as text/plain or application/json."
	}

	if charset, ok := params["charset"]; ok && !strings.EqualFold(charset, "utf-8") && !strings.EqualFold(charset, "utf8") {
		return "", http.StatusUnsupportedMediaType, "UNSUPPORTED_CHARSET", fmt.Sprintf("Charset '%s' is not supported: send the body as UTF-8.", strings.ToLower(charset))
	}

	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, bodyLimitBytes))
	if err != nil {
		return "", http.StatusRequestEntityTooLarge, "FST_ERR_CTP_BODY_TOO_LARGE", "Request body is too large"
	}

	if !utf8.Valid(body) {
		return "", http.StatusBadRequest, "INVALID_UTF8", "The body is not valid UTF-8; values are stored as UTF-8 text, byte for byte."
	}

	if mediaType == "application/json" && !json.Valid(body) {
		return "", http.StatusBadRequest, "INVALID_JSON_BODY", "The body is not valid JSON."
	}

	return string(body), 0, "", ""
}

// errorBody is the sample app's one error shape (KvErrorBody), fields in its order.
type errorBody struct {
	StatusCode int    `json:"statusCode"`
	Error      string `json:"error"`
	Message    string `json:"message"`
}

func reply(w http.ResponseWriter, status int, code, message string) {
	body, _ := json.Marshal(errorBody{StatusCode: status, Error: code, Message: message})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
