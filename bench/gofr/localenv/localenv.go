// Package localenv keeps the benchmark's binaries on this machine: a loopback endpoint only, fixed
// local credentials read through the SDK's ordinary environment provider, and no EC2 metadata lookups.
package localenv

import (
	"fmt"
	"net"
	"net/url"
	"os"
)

// Region is the region every benchmark client uses.
const Region = "us-east-1"

// Prepare checks that endpoint is an http URL on 127.0.0.1 (or ::1, localhost) and sets the environment
// that config.LoadDefaultConfig reads, before the driver connects.
func Prepare(endpoint string) error {
	parsed, err := url.Parse(endpoint)
	if err != nil || parsed.Scheme != "http" || parsed.Port() == "" {
		return fmt.Errorf("-endpoint must be http://127.0.0.1:<port> (got %q)", endpoint)
	}

	host := parsed.Hostname()
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("-endpoint must be on 127.0.0.1: the benchmark never leaves this machine (got %q)", endpoint)
	}

	for _, name := range []string{"AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"} {
		_ = os.Unsetenv(name)
	}

	for name, value := range map[string]string{
		"AWS_ACCESS_KEY_ID":         "bench",
		"AWS_SECRET_ACCESS_KEY":     "bench",
		"AWS_EC2_METADATA_DISABLED": "true",
		"AWS_REGION":                Region,
	} {
		if err := os.Setenv(name, value); err != nil {
			return err
		}
	}

	return nil
}
