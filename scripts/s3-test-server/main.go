// Command s3-test-server is the S3-compatible server of Keel's tests: gofakes3 (MIT) keeping objects
// in memory, behind a check of every request's AWS Signature Version 4 against one access key, so
// that a client with the wrong key or secret is refused the way S3 refuses it (403
// InvalidAccessKeyId or SignatureDoesNotMatch).
//
// It listens on -addr (port 0 picks a free one), creates -bucket, and prints one line
// "listening http://HOST:PORT" on standard output once it accepts connections.
package main

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// maxBody bounds the body the signature check reads into memory to verify its hash.
const maxBody = 64 << 20

// maxSkew is how far a request's X-Amz-Date may be from the server's clock, as S3 allows.
const maxSkew = 15 * time.Minute

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on (port 0: a free port)")
	bucket := flag.String("bucket", "keel-test", "bucket created at start")
	accessKey := flag.String("access-key", "keel-test-access-key", "the one access key id accepted")
	secretKey := flag.String("secret-key", "keel-test-secret-key", "its secret access key")
	flag.Parse()

	backend := s3mem.New()
	if err := backend.CreateBucket(*bucket); err != nil {
		log.Fatalf("s3-test-server: create bucket %s: %v", *bucket, err)
	}
	faker := gofakes3.New(backend, gofakes3.WithLogger(gofakes3.DiscardLog()))
	listener, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatalf("s3-test-server: listen on %s: %v", *addr, err)
	}
	fmt.Printf("listening http://%s\n", listener.Addr().String())
	os.Stdout.Sync()
	handler := &sigV4Check{keys: map[string]string{*accessKey: *secretKey}, next: faker.Server()}
	log.Fatal(http.Serve(listener, handler))
}

// sigV4Check refuses every request whose Signature Version 4 does not verify.
type sigV4Check struct {
	keys map[string]string
	next http.Handler
}

func (c *sigV4Check) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if code, message := c.verify(r); code != "" {
		refuse(w, code, message)
		return
	}
	c.next.ServeHTTP(w, r)
}

func refuse(w http.ResponseWriter, code, message string) {
	type s3Error struct {
		XMLName xml.Name `xml:"Error"`
		Code    string
		Message string
	}
	body, _ := xml.Marshal(s3Error{Code: code, Message: message})
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(http.StatusForbidden)
	_, _ = w.Write(append([]byte(xml.Header), body...))
}

// verify returns an S3 error code and message, or "" when the request's signature is valid.
func (c *sigV4Check) verify(r *http.Request) (string, string) {
	auth := r.Header.Get("Authorization")
	const algorithm = "AWS4-HMAC-SHA256"
	if !strings.HasPrefix(auth, algorithm+" ") {
		return "AccessDenied", "only requests signed with AWS Signature Version 4 (Authorization header) are accepted"
	}
	fields := map[string]string{}
	for _, part := range strings.Split(strings.TrimPrefix(auth, algorithm+" "), ",") {
		if k, v, ok := strings.Cut(strings.TrimSpace(part), "="); ok {
			fields[k] = v
		}
	}
	scope := strings.Split(fields["Credential"], "/")
	if len(scope) != 5 || scope[4] != "aws4_request" || fields["SignedHeaders"] == "" || fields["Signature"] == "" {
		return "AuthorizationHeaderMalformed", "the Authorization header is malformed"
	}
	secret, known := c.keys[scope[0]]
	if !known {
		return "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records."
	}
	amzDate := r.Header.Get("X-Amz-Date")
	at, err := time.Parse("20060102T150405Z", amzDate)
	if err != nil || !strings.HasPrefix(amzDate, scope[1]) {
		return "AccessDenied", "X-Amz-Date is missing or does not match the credential scope"
	}
	if skew := time.Since(at); skew > maxSkew || skew < -maxSkew {
		return "RequestTimeTooSkewed", "The difference between the request time and the current time is too large."
	}
	payloadHash := r.Header.Get("X-Amz-Content-Sha256")
	if payloadHash == "" {
		return "InvalidRequest", "Missing required header for this request: x-amz-content-sha256"
	}
	if len(payloadHash) == 64 {
		body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
		if err != nil || len(body) > maxBody {
			return "InvalidRequest", "the body could not be read or is too large for this test server"
		}
		sum := sha256.Sum256(body)
		if hex.EncodeToString(sum[:]) != strings.ToLower(payloadHash) {
			return "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed."
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	signedHeaders := strings.Split(fields["SignedHeaders"], ";")
	var headers strings.Builder
	for _, name := range signedHeaders {
		headers.WriteString(name + ":" + headerValue(r, name) + "\n")
	}
	canonical := strings.Join([]string{
		r.Method,
		canonicalPath(r.URL),
		canonicalQuery(r.URL.RawQuery),
		headers.String(),
		fields["SignedHeaders"],
		payloadHash,
	}, "\n")
	canonicalSum := sha256.Sum256([]byte(canonical))
	credentialScope := strings.Join(scope[1:], "/")
	stringToSign := algorithm + "\n" + amzDate + "\n" + credentialScope + "\n" + hex.EncodeToString(canonicalSum[:])
	key := []byte("AWS4" + secret)
	for _, part := range scope[1:] {
		key = hmacSHA256(key, part)
	}
	expected := hex.EncodeToString(hmacSHA256(key, stringToSign))
	if !hmac.Equal([]byte(expected), []byte(fields["Signature"])) {
		return "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method."
	}
	return "", ""
}

func hmacSHA256(key []byte, data string) []byte {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(data))
	return mac.Sum(nil)
}

func headerValue(r *http.Request, name string) string {
	switch name {
	case "host":
		return r.Host
	case "content-length":
		if v := r.Header.Get("Content-Length"); v != "" {
			return v
		}
		return strconv.FormatInt(r.ContentLength, 10)
	}
	values := r.Header.Values(name)
	for i, v := range values {
		values[i] = strings.Join(strings.Fields(v), " ")
	}
	return strings.Join(values, ",")
}

// canonicalPath is the path as sent: S3 signs it without normalising or encoding it again.
func canonicalPath(u *url.URL) string {
	if path := u.EscapedPath(); path != "" {
		return path
	}
	return "/"
}

func canonicalQuery(raw string) string {
	if raw == "" {
		return ""
	}
	var pairs []string
	for _, part := range strings.Split(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		k, _ = url.QueryUnescape(k)
		v, _ = url.QueryUnescape(v)
		pairs = append(pairs, uriEncode(k)+"="+uriEncode(v))
	}
	sort.Strings(pairs)
	return strings.Join(pairs, "&")
}

// uriEncode encodes every byte but the unreserved characters of RFC 3986, as SigV4 asks.
func uriEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch >= 'A' && ch <= 'Z' || ch >= 'a' && ch <= 'z' || ch >= '0' && ch <= '9' || ch == '-' || ch == '_' || ch == '.' || ch == '~' {
			b.WriteByte(ch)
		} else {
			fmt.Fprintf(&b, "%%%02X", ch)
		}
	}
	return b.String()
}
