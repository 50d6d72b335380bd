package clients

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/samsa-streaming/samsa/samsatest"
)

// TestSecurityFailedLoginFloodDoesNotStopOthers: 200 connections fail to
// log in at once, each held for the failed-authentication delay, while a
// good client logs in and produces; it must be done well within a
// deadline, and every bad login must have been refused.
func TestSecurityFailedLoginFloodDoesNotStopOthers(t *testing.T) {
	sb := startSecure(t, samsatest.Config("connection.failed.authentication.delay.ms", "2000"))
	const attempts = 200
	var wg sync.WaitGroup
	results := make(chan error, attempts)
	start := make(chan struct{})
	for range attempts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			results <- badLogin(sb.ListenerAddr("SASL_PLAINTEXT"))
		}()
	}
	close(start)

	deadline, cancel := context.WithTimeout(testContext(t), 20*time.Second)
	defer cancel()
	cl := sb.saslClient(t, "SASL_SSL", mechanism("SCRAM-SHA-256", "alice", "alice-secret"))
	for i := range 50 {
		r := &kgo.Record{Topic: "secured", Value: fmt.Appendf(nil, "during the flood %d", i)}
		if err := cl.ProduceSync(deadline, r).FirstErr(); err != nil {
			t.Fatalf("good client, record %d, during the flood: %v", i, err)
		}
	}

	wg.Wait()
	close(results)
	for err := range results {
		if err != nil {
			t.Fatal(err)
		}
	}
}

// badLogin tries PLAIN with a wrong password over SaslHandshake v1 and
// SaslAuthenticate v2; nil means it was refused as it should be: the
// failure answer, then the close.
func badLogin(addr string) error {
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	hs := kmsg.NewPtrSASLHandshakeRequest()
	hs.Mechanism = "PLAIN"
	hsResp := kmsg.NewPtrSASLHandshakeResponse()
	if err := exchange(c, hs, hsResp, 1, 1); err != nil || hsResp.ErrorCode != 0 {
		return fmt.Errorf("handshake: %v %v", err, kerr.ErrorForCode(hsResp.ErrorCode))
	}
	au := kmsg.NewPtrSASLAuthenticateRequest()
	au.SASLAuthBytes = []byte("\x00alice\x00wrong-secret")
	auResp := kmsg.NewPtrSASLAuthenticateResponse()
	if err := exchange(c, au, auResp, 2, 2); err != nil {
		return fmt.Errorf("authenticate: %v", err)
	}
	if auResp.ErrorCode != kerr.SaslAuthenticationFailed.Code {
		return fmt.Errorf("bad login answered %v", kerr.ErrorForCode(auResp.ErrorCode))
	}
	if n, err := c.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		return fmt.Errorf("connection open after a failed login: %d bytes, %v", n, err)
	}
	return nil
}

// exchange writes req (header v1, or v2 when flexible) and reads resp.
func exchange(c net.Conn, req kmsg.Request, resp kmsg.Response, version int16, corr int32) error {
	req.SetVersion(version)
	resp.SetVersion(version)
	b := binary.BigEndian.AppendUint32(nil, 0)
	b = binary.BigEndian.AppendUint16(b, uint16(req.Key()))
	b = binary.BigEndian.AppendUint16(b, uint16(version))
	b = binary.BigEndian.AppendUint32(b, uint32(corr))
	b = binary.BigEndian.AppendUint16(b, 4)
	b = append(b, "test"...)
	if req.IsFlexible() {
		b = append(b, 0)
	}
	b = req.AppendTo(b)
	binary.BigEndian.PutUint32(b, uint32(len(b)-4))
	if _, err := c.Write(b); err != nil {
		return err
	}
	var size [4]byte
	if _, err := io.ReadFull(c, size[:]); err != nil {
		return err
	}
	body := make([]byte, binary.BigEndian.Uint32(size[:]))
	if _, err := io.ReadFull(c, body); err != nil {
		return err
	}
	body = body[4:] // correlation id
	if resp.IsFlexible() {
		body = body[1:] // tagged fields
	}
	return resp.ReadFrom(body)
}
