package webpubsub

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseConnectionString(t *testing.T) {
	const key = "s3cr3t+KEY/value=="
	cases := []struct {
		in   string
		want ConnectionString
	}{
		{"Endpoint=https://contoso.webpubsub.azure.com;AccessKey=" + key + ";Version=1.0;",
			ConnectionString{Endpoint: "https://contoso.webpubsub.azure.com", AccessKey: key, Version: "1.0"}},
		{"endpoint=https://contoso.webpubsub.azure.com/;ACCESSKEY=" + key,
			ConnectionString{Endpoint: "https://contoso.webpubsub.azure.com", AccessKey: key}},
		{"  Endpoint = http://localhost:8080 ; AccessKey = " + key + " ; Version = 1.0 ; ",
			ConnectionString{Endpoint: "http://localhost:8080", AccessKey: key, Version: "1.0"}},
		{"Endpoint=http://localhost;Port=8080;AccessKey=" + key,
			ConnectionString{Endpoint: "http://localhost:8080", AccessKey: key}},
		{"Endpoint=https://contoso.webpubsub.azure.com:443;port=8443;AccessKey=" + key,
			ConnectionString{Endpoint: "https://contoso.webpubsub.azure.com:8443", AccessKey: key}},
		{"Endpoint=http://[::1];Port=9000;AccessKey=" + key,
			ConnectionString{Endpoint: "http://[::1]:9000", AccessKey: key}},
		{"AccessKey=" + key + ";Endpoint=HTTPS://Contoso.webpubsub.azure.com;ClientEndpoint=https://other;",
			ConnectionString{Endpoint: "https://Contoso.webpubsub.azure.com", AccessKey: key}},
		{"Endpoint=https://a:/;AccessKey=" + key, // an empty port is dropped
			ConnectionString{Endpoint: "https://a", AccessKey: key}},
		{"Endpoint=https://a;AccessKey=abc=def=", // '=' inside the key is kept
			ConnectionString{Endpoint: "https://a", AccessKey: "abc=def="}},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseConnectionString(tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestParseConnectionStringErrors(t *testing.T) {
	const key = "SECRET-KEY-VALUE-123"
	cases := []struct {
		in, want string
	}{
		{"", "Endpoint is missing"},
		{";;", "Endpoint is missing"},
		{"AccessKey=" + key, "Endpoint is missing"},
		{"Endpoint=;AccessKey=" + key, "Endpoint is missing"},
		{"Endpoint=https://a", "AccessKey is missing"},
		{"Endpoint=https://a;AccessKey=", "AccessKey is missing"},
		{"Endpoint=https://a;AccessKey=" + key + ";Version=2.0", "Version is not supported"},
		{"Endpoint=ftp://a;AccessKey=" + key, "Endpoint must be an http or https URL"},
		{"Endpoint=https://a/path;AccessKey=" + key, "must not have a path"},
		{"Endpoint=https://a;AccessKey=" + key + ";Port=abc", "Port is not a number from 1 to 65535"},
		{"Endpoint=https://a;AccessKey=" + key + ";Port=70000", "Port is not a number"},
		{"Endpoint=https://a;AccessKey=" + key + ";Port=0", "Port is not a number"},
		{"Endpoint=https://a;AccessKey=" + key + ";" + key, "part 3 is not a Key=Value pair"},
		{"Endpoint=https://a;AccessKey=" + key + ";AccessKey=other", "AccessKey is given more than once"},
		{"Endpoint=https://a;Endpoint=https://b;AccessKey=" + key, "Endpoint is given more than once"},
		{"Endpoint=https://a;AccessKey=" + key + ";Port=1;Port=2", "Port is given more than once"},
		{"Endpoint=https://a;AccessKey=" + key + ";Version=1.0;version=1.0", "Version is given more than once"},
		{"Endpoint=https://u:" + key + "@a;AccessKey=" + key, "must not contain user information"},
		// A missing ";" puts the next pair into the value: the error must not
		// quote it.
		{"AccessKey=x;Endpoint=https://a AccessKey=" + key, "Endpoint is not a valid URL"},
		{"AccessKey=x;Endpoint=https://a,AccessKey=" + key, "Endpoint has an invalid host name"},
		{"AccessKey=x;Endpoint=https://a;Port=443 AccessKey=" + key, "Port is not a number"},
		{"AccessKey=x;Endpoint=https://a;Version=1.0 AccessKey=" + key, "Version is not supported"},
		{"Endpoint=https://a AccessKey=" + key, "AccessKey is missing"},
		{"Endpoint=" + key + ";AccessKey=" + key, "Endpoint must be an http or https URL"},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			_, err := ParseConnectionString(tc.in)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.NotContains(t, err.Error(), key, "errors never contain the key")
		})
	}
}

func TestConnectionStringDoesNotPrintTheKey(t *testing.T) {
	cs, err := ParseConnectionString("Endpoint=https://a;AccessKey=TOPSECRET;Version=1.0")
	require.NoError(t, err)
	for _, s := range []string{cs.String(), fmt.Sprint(cs), fmt.Sprintf("%v %+v %#v %s", cs, cs, cs, cs)} {
		assert.NotContains(t, s, "TOPSECRET")
		assert.Contains(t, s, "https://a")
	}
	assert.Equal(t, "Endpoint=https://a;AccessKey=REDACTED;Version=1.0;", cs.String())
}

func TestEndpointHostValidation(t *testing.T) {
	for _, ok := range []string{"https://contoso.webpubsub.azure.com", "http://localhost:8080", "http://127.0.0.1", "http://[::1]:9000", "https://my_host-1.example"} {
		_, err := parseEndpoint(ok)
		assert.NoError(t, err, ok)
	}
	for _, bad := range []string{"https://a,b", "https://a=b", "https://a!b", "https://a;b"} {
		_, err := parseEndpoint(bad)
		assert.ErrorContains(t, err, "invalid host name", bad)
	}
}

// FuzzParseConnectionStringNeverEchoesKey puts a recognisable key into
// arbitrary text: whatever the text, an error never contains the key.
func FuzzParseConnectionStringNeverEchoesKey(f *testing.F) {
	f.Add("Endpoint=https://a ", "")
	f.Add("Endpoint=https://a,", ";Version=2")
	f.Add("Endpoint=https://a;Port=1 ", "")
	f.Add("Endpoint=", "")
	f.Add("Endpoint=https://a;Version=", ";")
	f.Fuzz(func(t *testing.T, before, after string) {
		const key = "Zq7KEYxW9mN2pL5v"
		for _, s := range []string{before + "AccessKey=" + key + after, before + key + after} {
			_, err := ParseConnectionString(s)
			if err != nil && strings.Contains(err.Error(), key) {
				t.Fatalf("error quotes the key: %v", err)
			}
		}
	})
}

func FuzzParseConnectionString(f *testing.F) {
	f.Add("Endpoint=https://contoso.webpubsub.azure.com;AccessKey=abc;Version=1.0;")
	f.Add("Endpoint=http://localhost;Port=8080;AccessKey=k")
	f.Add(" endpoint = http://[::1] ; accesskey = k ; ")
	f.Add("Endpoint=https://a/b?c#d;AccessKey=k;Port=-1")
	f.Add(";;=;==;Endpoint")
	f.Fuzz(func(t *testing.T, s string) {
		cs, err := ParseConnectionString(s)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "webpubsub: connection string: ") {
				t.Fatalf("unexpected error prefix: %v", err)
			}
			return
		}
		if cs.AccessKey == "" || cs.Endpoint == "" {
			t.Fatalf("success without endpoint or key: %#v", cs)
		}
		if !strings.HasPrefix(cs.Endpoint, "http://") && !strings.HasPrefix(cs.Endpoint, "https://") {
			t.Fatalf("endpoint %q is not http(s)", cs.Endpoint)
		}
		if strings.HasSuffix(cs.Endpoint, "/") {
			t.Fatalf("endpoint %q has a trailing slash", cs.Endpoint)
		}
		// A parsed endpoint is accepted by the client constructors too.
		if _, err := parseEndpoint(cs.Endpoint); err != nil {
			t.Fatalf("parsed endpoint %q is rejected: %v", cs.Endpoint, err)
		}
	})
}
