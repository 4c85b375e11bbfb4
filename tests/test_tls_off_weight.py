"""TLS verification off (BSSEC106) weighed by where it is switched off."""

from __future__ import annotations

import pytest

from backend_skills import score
from backend_skills.checkers.polyglot import analyse_source
from backend_skills.core.models import Confidence, Role, Severity
from tests.conftest import TreeFactory

pytest.importorskip("tree_sitter_javascript")


def tls_findings(code: str, language: str = "javascript", path: str = "src/app.js") -> list:
    result = analyse_source(path, language, code, Role.SOURCE)
    return [f for f in result.findings if f.rule == "BSSEC106"]


def test_an_https_agent_without_verification_is_a_high_confidence_vulnerability() -> None:
    (finding,) = tls_findings("const agent = new https.Agent({ rejectUnauthorized: false });\n")
    assert (finding.severity, finding.confidence, finding.line) == (
        Severity.HIGH,
        Confidence.HIGH,
        1,
    )


def test_a_database_connections_ssl_options_are_one_severity_lower() -> None:
    code = """module.exports = {
  production: {
    dialect: 'postgres',
    dialectOptions: {
      ssl: {
        rejectUnauthorized: false,
      },
    },
  },
};
"""
    (finding,) = tls_findings(code)
    assert finding.line == 6
    assert finding.severity is Severity.MEDIUM
    assert finding.confidence is Confidence.HIGH
    assert "connection's TLS options" in finding.message


def test_an_operators_opt_in_is_medium_confidence() -> None:
    code = """function transport(config) {
  const options = { host: config.host };
  if (config['email:smtpTransport:allow-self-signed']) {
    options.tls = {
      rejectUnauthorized: false,
    };
  }
  return nodemailer.createTransport(options);
}
const client = new Redis(url, {
  tls: env.REDIS_URL.startsWith('rediss://') ? { rejectUnauthorized: false } : undefined,
});
"""
    first, second = tls_findings(code)
    assert (first.line, second.line) == (5, 11)
    for finding in (first, second):
        assert finding.severity is Severity.MEDIUM  # a mail and a cache connection
        assert finding.confidence is Confidence.MEDIUM
        assert "configuration asks for it" in finding.message


def test_a_branch_on_the_request_is_no_opt_in() -> None:
    code = """app.get('/proxy', (req, res) => {
  if (req.query.insecure) {
    https.get(req.query.url, { agent: new https.Agent({ rejectUnauthorized: false }) });
  }
});
"""
    (finding,) = tls_findings(code)
    assert (finding.severity, finding.confidence) == (Severity.HIGH, Confidence.HIGH)


def test_go_insecure_skip_verify_behind_a_setting_is_medium_confidence() -> None:
    pytest.importorskip("tree_sitter_go")
    code = """package client

func New(cfg Config) *http.Client {
	if cfg.InsecureSkipVerify {
		return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	}
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
}
"""
    first, second = tls_findings(code, "go", "client/client.go")
    assert (first.line, first.severity, first.confidence) == (5, Severity.HIGH, Confidence.MEDIUM)
    assert (second.line, second.confidence) == (7, Confidence.HIGH)


def test_a_per_request_option_to_ignore_tls_errors_is_an_opt_in() -> None:
    pytest.importorskip("tree_sitter_go")
    # miniflux: a feed's "ignore TLS errors" setting, off by default.
    code = """package fetcher

func (r *RequestBuilder) transport() *http.Transport {
	transport := &http.Transport{}
	if r.ignoreTLSErrors {
		transport.TLSClientConfig = &tls.Config{InsecureSkipVerify: true}
	}
	return transport
}
"""
    (finding,) = tls_findings(code, "go", "internal/reader/fetcher/request_builder.go")
    assert (finding.line, finding.confidence) == (6, Confidence.MEDIUM)


def test_a_callback_created_behind_a_setting_is_an_opt_in() -> None:
    pytest.importorskip("tree_sitter_go")
    # usememos/memos: an S3 client for self-signed endpoints, only when configured.
    code = """package s3

func NewDriver(ctx context.Context, s3Config *Config) (*Driver, error) {
	var options []func(*config.LoadOptions) error
	if s3Config.InsecureSkipTlsVerify {
		client := awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
			tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true}
		})
		options = append(options, config.WithHTTPClient(client))
	}
	return load(ctx, options)
}
"""
    (finding,) = tls_findings(code, "go", "internal/storage/s3/s3.go")
    assert (finding.line, finding.confidence) == (7, Confidence.MEDIUM)


def test_a_notification_settings_unsafe_tls_switch_is_an_opt_in() -> None:
    # louislam/uptime-kuma: a per-notification "unsafe TLS" checkbox for self-signed routers.
    code = """class Teltonika {
  async send(notification, msg) {
    const axiosConfig = { headers: { Accept: 'application/json' } };
    if (notification.teltonikaUnsafeTls) {
      axiosConfig.httpsAgent = new https.Agent({
        rejectUnauthorized: false,
      });
    }
    return axios.post(notification.url, msg, axiosConfig);
  }
}
"""
    (finding,) = tls_findings(code)
    assert (finding.line, finding.severity, finding.confidence) == (
        6,
        Severity.HIGH,
        Confidence.MEDIUM,
    )


@pytest.mark.parametrize(
    ("comment", "silenced"),
    [
        ("// #nosec G402 -- opt-in for self-signed S3 endpoints", True),
        ("// #nosec G101 -- not this rule", False),
        ("// #nosec", True),
    ],
)
def test_gosec_suppressions_silence_our_finding_at_that_line(
    make_tree: TreeFactory, comment: str, silenced: bool
) -> None:
    pytest.importorskip("tree_sitter_go")
    code = f"""package client

import (
	"crypto/tls"
	"net/http"
)

// New returns a client for the mirror.
func New() *http.Client {{
	return &http.Client{{Transport: &http.Transport{{
		TLSClientConfig: &tls.Config{{InsecureSkipVerify: true}}, {comment}
	}}}}
}}
"""
    root = make_tree({"go.mod": "module example.com/c\n\ngo 1.22\n", "client/client.go": code})
    report = score(root, skills=["security"], isolated=True, cache=False)
    (finding,) = [f for f in report.findings if f.rule == "BSSEC106"]
    assert finding.line == 11
    assert finding.counted is not silenced
    assert (finding.suppressed is not None) is silenced
    if comment.endswith("endpoints"):
        assert finding.suppressed == "# nosec G402: opt-in for self-signed S3 endpoints"


def test_a_mail_clients_certificate_check_is_one_severity_lower() -> None:
    pytest.importorskip("tree_sitter_c_sharp")
    # simplcommerce: MailKit's SmtpClient accepting any certificate for STARTTLS.
    code = """public class EmailSender {
    public async Task Send(MimeMessage message) {
        using (var client = new SmtpClient())
        {
            client.ServerCertificateValidationCallback = (s, c, h, e) => true;
            await client.ConnectAsync(_config.SmtpServer, _config.SmtpPort, false);
        }
        var http = new HttpClientHandler();
        http.ServerCertificateCustomValidationCallback = (m, c, ch, e) => true;
    }
}
"""
    mail, web = tls_findings(code, "csharp", "src/EmailSender.cs")
    assert (mail.line, mail.severity, mail.confidence) == (5, Severity.MEDIUM, Confidence.HIGH)
    assert "mail connection" in mail.message
    assert (web.line, web.severity) == (9, Severity.HIGH)


def test_tls_off_for_an_option_named_in_a_switch_is_an_opt_in() -> None:
    pytest.importorskip("tree_sitter_go")
    # gogs: parsing a cache connection string's options, `tls=` turns TLS on unverified.
    code = """package cache

func parse(options map[string]string) (redis.Config, error) {
	var config redis.Config
	for k, v := range options {
		switch k {
		case "addr":
			config.Options.Addr = v
		case "tls":
			config.Options.TLSConfig = &tls.Config{InsecureSkipVerify: true}
		}
	}
	return config, nil
}
"""
    (finding,) = tls_findings(code, "go", "internal/web/cache.go")
    assert (finding.line, finding.confidence) == (10, Confidence.MEDIUM)


def test_tls_off_when_the_connection_url_asks_for_it_is_an_opt_in() -> None:
    # docmost: `rediss://...?rejectUnauthorized=false` in the operator's Redis URL.
    code = """export function redisOptions(url) {
  const { protocol, searchParams } = new URL(url);
  const tls = protocol === 'rediss:'
    ? (searchParams.get('rejectUnauthorized') === 'false' ? { rejectUnauthorized: false } : {})
    : undefined;
  return { tls };
}
"""
    (finding,) = tls_findings(code, "typescript", "src/redis.ts")
    assert (finding.line, finding.confidence) == (4, Confidence.MEDIUM)
