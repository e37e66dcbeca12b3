// Ours, not GoFr's: lets the benchmark's HTTP app tell a missing key from a failure, as a GoFr handler
// inside the package's module could with errors.Is.
package dynamodb

// ErrKeyNotFound is the error Get returns (or wraps) when the key has no item, or no "value" attribute.
var ErrKeyNotFound = errKeyNotFound
