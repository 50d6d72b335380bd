package metrics

import (
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestServeMetricsAndHealth(t *testing.T) {
	m := New()
	m.ObserveRequest(0, 3*time.Millisecond, false)
	m.ObserveRequest(0, time.Millisecond, true)
	m.ObserveRequest(999, time.Millisecond, true)
	tc := m.Topic("orders")
	tc.In.Add(100)
	tc.Out.Add(40)
	healthy := true
	s, err := Serve("127.0.0.1:0", m, func() bool { return healthy }, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	body := get(t, "http://"+s.Addr()+"/metrics", 200)
	for _, want := range []string{
		`samsa_kafka_requests_total{api="Produce"} 2`,
		`samsa_kafka_request_errors_total{api="Produce"} 1`,
		`samsa_kafka_request_duration_seconds_count{api="Produce"} 2`,
		`samsa_kafka_requests_total{api="Unknown"} 1`,
		`samsa_topic_bytes_in_total{topic="orders"} 100`,
		`samsa_topic_bytes_out_total{topic="orders"} 40`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if strings.Contains(body, `api="Fetch"`) {
		t.Error("/metrics lists an API that was never called")
	}
	m.ForgetTopic("orders")
	if strings.Contains(get(t, "http://"+s.Addr()+"/metrics", 200), `topic="orders"`) {
		t.Error("deleted topic still has series")
	}
	get(t, "http://"+s.Addr()+"/healthz", 200)
	healthy = false
	get(t, "http://"+s.Addr()+"/healthz", 503)
}

func get(t *testing.T, url string, status int) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != status {
		t.Fatalf("GET %s: %d, want %d", url, resp.StatusCode, status)
	}
	return string(b)
}
