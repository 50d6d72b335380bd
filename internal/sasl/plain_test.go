package sasl

import (
	"strings"
	"testing"
)

func TestParseJAAS(t *testing.T) {
	mods, err := ParseJAAS(`org.apache.kafka.common.security.plain.PlainLoginModule required
		username="admin" password='admin-secret' // a comment
		user_admin="admin-secret" /* another */ user_alice="alice \"quoted\" \\ secret"
		user_bob=bob-secret_1.0;
		com.example.Other optional;`)
	if err != nil {
		t.Fatal(err)
	}
	if len(mods) != 2 || mods[0].Class != "org.apache.kafka.common.security.plain.PlainLoginModule" || mods[0].Flag != "required" || mods[1].Flag != "optional" {
		t.Fatalf("modules %+v", mods)
	}
	want := map[string]string{"username": "admin", "password": "admin-secret", "user_admin": "admin-secret",
		"user_alice": `alice "quoted" \ secret`, "user_bob": "bob-secret_1.0"}
	for k, v := range want {
		if mods[0].Options[k] != v {
			t.Errorf("%s = %q, want %q", k, mods[0].Options[k], v)
		}
	}
	for _, bad := range []string{
		"", "Module", "Module required", "Module required a=b", "Module always;", "Module required a;",
		"Module required a=;", "Module required a=1;", "Module required =b;", "Module required a=b /* open",
	} {
		if _, err := ParseJAAS(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	_, err = ParseJAAS(`Module required user_x="topsecret" broken`)
	if err == nil || strings.Contains(err.Error(), "topsecret") {
		t.Errorf("error %v quotes a value", err)
	}
}

func TestPlain(t *testing.T) {
	mods, _ := ParseJAAS(`org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="alice-secret"; other.Module required user_eve="x";`)
	users := PlainUsersFromJAAS(mods)
	for _, tt := range []struct {
		msg, user, wantMsg string
	}{
		{"\x00alice\x00alice-secret", "alice", ""},
		{"alice\x00alice\x00alice-secret", "alice", ""},
		{"\x00alice\x00wrong", "", "Authentication failed: Invalid username or password"},
		{"\x00bob\x00alice-secret", "", "Authentication failed: Invalid username or password"},
		{"\x00eve\x00x", "", "Authentication failed: Invalid username or password"}, // not PlainLoginModule
		{"\x00\x00pw", "", "Authentication failed: username not specified"},
		{"\x00alice\x00", "", "Authentication failed: password not specified"},
		{"admin\x00alice\x00alice-secret", "", "Authentication failed: Client requested an authorization id that is different from username"},
		{"alice-secret", "", ""},
	} {
		ex := &plainExchange{users: users}
		reply, done, err := ex.Next([]byte(tt.msg))
		if tt.user != "" {
			if err != nil || !done || len(reply) != 0 || ex.User() != tt.user {
				t.Errorf("%q: %v done %v user %q", tt.msg, err, done, ex.User())
			}
			continue
		}
		e, ok := err.(*Error)
		if !ok || e.Msg != tt.wantMsg {
			t.Errorf("%q: error %#v, want message %q", tt.msg, err, tt.wantMsg)
		}
		if ok && strings.Contains(e.Reason, "secret") {
			t.Errorf("%q: reason %q holds the password", tt.msg, e.Reason)
		}
	}
}
