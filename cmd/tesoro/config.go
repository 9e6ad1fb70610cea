package main

import (
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/tesoro-pact/tesoro/orders"
	"github.com/tesoro-pact/tesoro/storage"
)

// Config is the whole effective configuration, read once from the environment.
type Config struct {
	Listen        string
	DataDir       string
	BaseURL       string
	LogLevel      string
	LogFormat     string
	MongoURI      string
	MongoDatabase string
	S3            storage.S3Config
	StripeSecret  string
	StripeWebhook string
	// StripeAPIURL replaces api.stripe.com (stripe-mock in tests and on laptops).
	StripeAPIURL string
	// CardOrderTTL is how long an unpaid card order holds stock;
	// OrderRecoverAfter how old an unfinished checkout must be before the
	// sweeper rolls it back.
	CardOrderTTL, OrderRecoverAfter string
	cardOrderTTL, orderRecoverAfter time.Duration
	// PendingOrderTTL is how long an unpaid order no producer confirmed
	// holds its stock.
	PendingOrderTTL string
	pendingOrderTTL time.Duration
	// SessionLockDays is how many days after its date an advisory session
	// becomes read-only (admins unlock).
	SessionLockDays  string
	sessionLockAfter time.Duration
	// CommitmentLapseMonths is how long a child-labour-free commitment
	// holds without a verification at a visit.
	CommitmentLapseMonths string
	commitmentLapse       int
	AdminEmail            string
	AdminPassword         string
	// TrustedProxies are the addresses (CIDRs) of the TLS proxies whose
	// X-Forwarded-For is believed; empty means clients connect directly.
	TrustedProxies []string
}

// setting is one environment variable; secret ones accept NAME_FILE and are
// redacted when printed.
type setting struct {
	name   string
	def    string
	secret bool
	dst    func(*Config) *string
}

var settings = []setting{
	{"TESORO_LISTEN", ":8080", false, func(c *Config) *string { return &c.Listen }},
	{"TESORO_DATA", "./data", false, func(c *Config) *string { return &c.DataDir }},
	{"TESORO_BASE_URL", "", false, func(c *Config) *string { return &c.BaseURL }},
	{"TESORO_LOG_LEVEL", "info", false, func(c *Config) *string { return &c.LogLevel }},
	{"TESORO_LOG_FORMAT", "auto", false, func(c *Config) *string { return &c.LogFormat }},
	{"MONGODB_URI", "", true, func(c *Config) *string { return &c.MongoURI }},
	{"MONGODB_DATABASE", "tesoro", false, func(c *Config) *string { return &c.MongoDatabase }},
	{"S3_ENDPOINT", "", false, func(c *Config) *string { return &c.S3.Endpoint }},
	{"S3_ACCESS_KEY", "", true, func(c *Config) *string { return &c.S3.AccessKey }},
	{"S3_SECRET_KEY", "", true, func(c *Config) *string { return &c.S3.SecretKey }},
	{"S3_BUCKET", "tesoro", false, func(c *Config) *string { return &c.S3.Bucket }},
	{"S3_REGION", "us-east-1", false, func(c *Config) *string { return &c.S3.Region }},
	{"STRIPE_SECRET_KEY", "", true, func(c *Config) *string { return &c.StripeSecret }},
	{"STRIPE_WEBHOOK_SECRET", "", true, func(c *Config) *string { return &c.StripeWebhook }},
	{"STRIPE_API_URL", "", false, func(c *Config) *string { return &c.StripeAPIURL }},
	{"TESORO_CARD_ORDER_TTL", "1h", false, func(c *Config) *string { return &c.CardOrderTTL }},
	{"TESORO_PENDING_ORDER_TTL", "48h", false, func(c *Config) *string { return &c.PendingOrderTTL }},
	{"TESORO_ORDER_RECOVER_AFTER", "1m", false, func(c *Config) *string { return &c.OrderRecoverAfter }},
	{"TESORO_SESSION_LOCK_DAYS", "30", false, func(c *Config) *string { return &c.SessionLockDays }},
	{"TESORO_COMMITMENT_LAPSE_MONTHS", "6", false, func(c *Config) *string { return &c.CommitmentLapseMonths }},
	{"TESORO_ADMIN_EMAIL", "", false, func(c *Config) *string { return &c.AdminEmail }},
	{"TESORO_ADMIN_PASSWORD", "", true, func(c *Config) *string { return &c.AdminPassword }},
}

// LoadConfig reads and validates the configuration; every error names its variable.
func LoadConfig(getenv func(string) string) (Config, error) {
	var c Config
	for _, s := range settings {
		v := getenv(s.name)
		if file := getenv(s.name + "_FILE"); s.secret && file != "" {
			if v != "" {
				return c, fmt.Errorf("%s and %s_FILE are both set: use one", s.name, s.name)
			}
			b, err := os.ReadFile(file)
			if err != nil {
				return c, fmt.Errorf("%s_FILE: %w", s.name, err)
			}
			v = strings.TrimRight(string(b), "\r\n")
		}
		if v == "" {
			v = s.def
		}
		*s.dst(&c) = v
	}
	for _, p := range strings.Split(getenv("TESORO_TRUSTED_PROXIES"), ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		if _, _, err := net.ParseCIDR(p); err != nil && net.ParseIP(p) == nil {
			return c, fmt.Errorf("TESORO_TRUSTED_PROXIES: %q is not an IP address or CIDR", p)
		}
		c.TrustedProxies = append(c.TrustedProxies, p)
	}
	useSSL := getenv("S3_USE_SSL")
	if useSSL != "" {
		b, err := strconv.ParseBool(useSSL)
		if err != nil {
			return c, fmt.Errorf("S3_USE_SSL: %q is not true or false", useSSL)
		}
		c.S3.UseSSL = b
	}
	for _, d := range []struct {
		name string
		raw  string
		dst  *time.Duration
		min  time.Duration
		max  time.Duration
	}{
		// A card order lives as long as its Stripe Checkout Session can.
		{"TESORO_CARD_ORDER_TTL", c.CardOrderTTL, &c.cardOrderTTL, orders.MinCardOrderTTL, orders.MaxCardOrderTTL},
		{"TESORO_PENDING_ORDER_TTL", c.PendingOrderTTL, &c.pendingOrderTTL, orders.MinPendingOrderTTL, orders.MaxPendingOrderTTL},
		{"TESORO_ORDER_RECOVER_AFTER", c.OrderRecoverAfter, &c.orderRecoverAfter, 10 * time.Second, time.Hour},
	} {
		v, err := time.ParseDuration(d.raw)
		if err != nil || v < d.min || v > d.max {
			return c, fmt.Errorf("%s: %q is not a duration from %s to %s (for example 45m)", d.name, d.raw, d.min, d.max)
		}
		*d.dst = v
	}
	days, err := strconv.Atoi(c.SessionLockDays)
	if err != nil || days < 1 || days > 3650 {
		return c, fmt.Errorf("TESORO_SESSION_LOCK_DAYS: %q is not a whole number of days from 1 to 3650", c.SessionLockDays)
	}
	c.sessionLockAfter = time.Duration(days) * 24 * time.Hour
	if c.commitmentLapse, err = strconv.Atoi(c.CommitmentLapseMonths); err != nil || c.commitmentLapse < 1 || c.commitmentLapse > 36 {
		return c, fmt.Errorf("TESORO_COMMITMENT_LAPSE_MONTHS: %q is not a whole number of months from 1 to 36", c.CommitmentLapseMonths)
	}
	return c, c.validate()
}

func (c Config) validate() error {
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		return fmt.Errorf("TESORO_LISTEN: %q is not host:port (for example :8080 or 127.0.0.1:8080)", c.Listen)
	}
	if c.BaseURL != "" {
		u, err := url.Parse(c.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("TESORO_BASE_URL: %q is not an http(s) URL", c.BaseURL)
		}
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("TESORO_LOG_LEVEL: %q is not debug, info, warn or error", c.LogLevel)
	}
	switch c.LogFormat {
	case "auto", "json", "text":
	default:
		return fmt.Errorf("TESORO_LOG_FORMAT: %q is not auto, json or text", c.LogFormat)
	}
	if c.MongoURI != "" && !strings.HasPrefix(c.MongoURI, "mongodb://") && !strings.HasPrefix(c.MongoURI, "mongodb+srv://") {
		return fmt.Errorf("MONGODB_URI: must start with mongodb:// or mongodb+srv://")
	}
	if c.S3.Endpoint != "" {
		if strings.Contains(c.S3.Endpoint, "://") {
			return fmt.Errorf("S3_ENDPOINT: give host:port without a scheme (use S3_USE_SSL for https)")
		}
		for _, req := range []struct{ name, value string }{
			{"S3_ACCESS_KEY", c.S3.AccessKey}, {"S3_SECRET_KEY", c.S3.SecretKey}, {"S3_BUCKET", c.S3.Bucket},
		} {
			if req.value == "" {
				return fmt.Errorf("%s: required when S3_ENDPOINT is set", req.name)
			}
		}
	}
	if (c.AdminEmail == "") != (c.AdminPassword == "") {
		return fmt.Errorf("TESORO_ADMIN_EMAIL and TESORO_ADMIN_PASSWORD: set both or neither")
	}
	if c.StripeWebhook != "" && c.StripeSecret == "" {
		return fmt.Errorf("STRIPE_WEBHOOK_SECRET: set STRIPE_SECRET_KEY too")
	}
	if c.StripeSecret != "" && (c.StripeWebhook == "" || c.BaseURL == "") {
		return fmt.Errorf("STRIPE_SECRET_KEY: card payments also need STRIPE_WEBHOOK_SECRET (to confirm them) and TESORO_BASE_URL (to bring buyers back)")
	}
	if c.StripeAPIURL != "" {
		if u, err := url.Parse(c.StripeAPIURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("STRIPE_API_URL: %q is not an http(s) URL", c.StripeAPIURL)
		}
	}
	return nil
}

// Print writes the effective configuration with secrets redacted.
func (c Config) Print(w io.Writer) {
	for _, s := range settings {
		v := *s.dst(&c)
		switch {
		case s.name == "MONGODB_URI" && v != "":
			v = redactURI(v)
		case s.secret && v != "":
			v = "[redacted]"
		case v == "" && s.name == "MONGODB_URI":
			v = "(embedded FerretDB in " + c.DataDir + "/db)"
		case v == "" && s.name == "S3_ENDPOINT":
			v = "(local disk in " + c.DataDir + "/objects)"
		}
		fmt.Fprintf(w, "%s=%s\n", s.name, v)
	}
	fmt.Fprintf(w, "S3_USE_SSL=%t\n", c.S3.UseSSL)
	fmt.Fprintf(w, "TESORO_TRUSTED_PROXIES=%s\n", strings.Join(c.TrustedProxies, ","))
}

// redactURI hides the password of a connection string but keeps the host,
// which is what an operator needs to see.
func redactURI(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "[redacted]"
	}
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "redacted")
		}
	}
	return u.String()
}
