// firstcall times a provider's start the way Terraform experiences it: exec until the handshake
// line, and exec until the first RPC over the announced socket is answered (grpc.health.v1 Check
// of "plugin", with AutoMTLS as go-plugin sets it up: a P-521 host certificate, the server's
// certificate from the line as the only root). The line can go out before the server is ready,
// so the second figure is the one a user waits for.
//
//	go run . [-runs N] [-mode mtls|plain|both] BINARY...
package main

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"flag"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"sort"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

const cookie = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"

type hostIdentity struct {
	pem  string
	cert tls.Certificate
}

func newHostIdentity() hostIdentity {
	key, err := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	must(err)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "localhost", Organization: []string{"HashiCorp"}},
		DNSNames:              []string{"localhost"},
		NotBefore:             time.Now().Add(-time.Minute),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	must(err)
	keyDER, err := x509.MarshalECPrivateKey(key)
	must(err)
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	must(err)
	return hostIdentity{pem: string(certPEM), cert: cert}
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "firstcall:", err)
		os.Exit(1)
	}
}

// oneStart returns exec->line and exec->first answer.
func oneStart(binary string, host *hostIdentity) (time.Duration, time.Duration) {
	env := []string{}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TF_") && !strings.HasPrefix(kv, "PLUGIN_") {
			env = append(env, kv)
		}
	}
	env = append(env, "TF_PLUGIN_MAGIC_COOKIE="+cookie, "PLUGIN_PROTOCOL_VERSIONS=6,5",
		"PLUGIN_MIN_PORT=10000", "PLUGIN_MAX_PORT=25000")
	if host != nil {
		env = append(env, "PLUGIN_CLIENT_CERT="+host.pem)
	}
	cmd := exec.Command(binary)
	cmd.Env = env
	out, err := cmd.StdoutPipe()
	must(err)
	t0 := time.Now()
	must(cmd.Start())
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	line, err := bufio.NewReader(out).ReadString('\n')
	must(err)
	tLine := time.Since(t0)
	parts := strings.Split(strings.TrimSpace(line), "|")
	if len(parts) < 5 {
		must(fmt.Errorf("%s: bad handshake line %q", binary, line))
	}
	network, addr := parts[2], parts[3]
	if network == "unix" {
		defer os.Remove(addr)
	}
	creds := insecure.NewCredentials()
	if host != nil {
		if len(parts) < 6 || parts[5] == "" {
			must(fmt.Errorf("%s: no server certificate in %q", binary, line))
		}
		der, err := base64.RawStdEncoding.DecodeString(parts[5])
		must(err)
		serverCert, err := x509.ParseCertificate(der)
		must(err)
		pool := x509.NewCertPool()
		pool.AddCert(serverCert)
		creds = credentials.NewTLS(&tls.Config{
			Certificates: []tls.Certificate{host.cert},
			RootCAs:      pool,
			ServerName:   "localhost",
			MinVersion:   tls.VersionTLS12,
		})
	}
	conn, err := grpc.NewClient("passthrough:unused", grpc.WithTransportCredentials(creds),
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		}))
	must(err)
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{Service: "plugin"},
		grpc.WaitForReady(true))
	must(err)
	tCall := time.Since(t0)
	if resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		must(fmt.Errorf("%s: health %v", binary, resp.GetStatus()))
	}
	return tLine, tCall
}

func quartiles(d []time.Duration) string {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	at := func(q float64) float64 { return float64(s[int(q*float64(len(s)-1)+0.5)]) / 1e6 }
	return fmt.Sprintf("%.2f ms [%.2f-%.2f]", at(0.5), at(0.25), at(0.75))
}

func main() {
	runs := flag.Int("runs", 30, "starts per binary and mode")
	mode := flag.String("mode", "both", "mtls, plain or both")
	flag.Parse()
	host := newHostIdentity()
	modes := []string{"mtls", "plain"}
	if *mode != "both" {
		modes = []string{*mode}
	}
	fmt.Println("| binary | mode | exec -> handshake line | exec -> first RPC answered |")
	fmt.Println("|---|---|---|---|")
	for _, m := range modes {
		var h *hostIdentity
		if m == "mtls" {
			h = &host
		}
		lines := make(map[string][]time.Duration)
		calls := make(map[string][]time.Duration)
		// Binaries take turns start by start, so a change in the machine's load hits all alike.
		for i := 0; i < *runs+1; i++ {
			for _, b := range flag.Args() {
				l, c := oneStart(b, h)
				if i > 0 { // the first start of each warms the page cache
					lines[b] = append(lines[b], l)
					calls[b] = append(calls[b], c)
				}
			}
		}
		for _, b := range flag.Args() {
			fmt.Printf("| %s | %s | %s | %s |\n", b, m, quartiles(lines[b]), quartiles(calls[b]))
		}
	}
}
