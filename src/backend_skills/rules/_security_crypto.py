"""Cryptography and transport rules: weak hashes, weak ciphers, TLS verification off."""

from __future__ import annotations

from backend_skills.core.models import Confidence, Severity

from ._model import Example, Pattern, Rule

JS = ("javascript", "typescript")

WEAK_HASH = Rule(
    id="BSSEC104",
    title="Weak hash algorithm (MD5, SHA-1)",
    skill="security",
    criterion="security.crypto",
    severity=Severity.MEDIUM,
    confidence=Confidence.MEDIUM,
    cwe=328,
    message="weak hash algorithm in `{name}`",
    rationale=(
        "MD5 and SHA-1 have practical collisions and are fast to brute-force: they must not "
        "protect passwords, signatures or integrity (CWE-328). Used for a cache key or an "
        "ETag they are a hotspot to review, not a vulnerability."
    ),
    fix="Use SHA-256 or better for integrity, HMAC-SHA-256 for authentication, and bcrypt, scrypt, Argon2 or PBKDF2 for passwords.",
    patterns=(
        Pattern(
            languages=("java",),
            query="""(method_invocation name: (identifier) @name (#eq? @name "getInstance")
              arguments: (argument_list . (string_literal) @alg)) @match""",
            text=r"(?i)MessageDigest\s*\.\s*getInstance\s*\(\s*\"(?:MD2|MD4|MD5|SHA-?1|SHA)\"",
            needles=("MessageDigest",),
        ),
        Pattern(
            languages=("java",),
            query="""(method_invocation object: (identifier) @object (#eq? @object "DigestUtils")
              name: (identifier) @name (#match? @name "^(md5|sha1|sha)(Hex)?$")) @match""",
            needles=("DigestUtils",),
        ),
        Pattern(
            languages=("csharp",),
            query="""(invocation_expression function: (member_access_expression expression: (identifier) @name
              (#any-of? @name "MD5" "SHA1" "HMACMD5" "HMACSHA1"))) @match""",
            needles=("MD5", "SHA1"),
        ),
        Pattern(
            languages=("csharp",),
            query="""(object_creation_expression type: (identifier) @name
              (#any-of? @name "MD5CryptoServiceProvider" "SHA1CryptoServiceProvider" "SHA1Managed" "HMACMD5" "HMACSHA1")) @match""",
            needles=("MD5", "SHA1"),
        ),
        Pattern(
            languages=("go",),
            query="""(call_expression function: (selector_expression operand: (identifier) @name
              (#any-of? @name "md5" "sha1") field: (field_identifier) @f (#any-of? @f "New" "Sum"))) @match""",
            needles=("md5.", "sha1."),
        ),
        Pattern(
            languages=JS,
            query="""(call_expression function: (member_expression property: (property_identifier) @name
              (#any-of? @name "createHash" "createHmac")) arguments: (arguments . (string) @alg)) @match""",
            text=r"(?i)\(\s*['\"](?:md4|md5|sha1|sha-1|ripemd160)['\"]",
            needles=("createH",),
        ),
    ),
    examples=(
        Example(
            "java",
            """class H {
  byte[] h(byte[] b) throws Exception {
    return MessageDigest.getInstance("MD5").digest(b);
  }
}
""",
            lines=(3,),
        ),
        Example(
            "java",
            """class H {
  byte[] h(byte[] b) throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(b);
  }
}
""",
        ),
        Example(
            "csharp",
            """class H {
  byte[] Hash(byte[] b) { using var md5 = MD5.Create(); return md5.ComputeHash(b); }
}
""",
            lines=(2,),
        ),
        Example(
            "csharp",
            """class H {
  byte[] Hash(byte[] b) { return SHA256.HashData(b); }
}
""",
        ),
        Example(
            "go",
            """package h

func Sum(b []byte) [16]byte { return md5.Sum(b) }
""",
            lines=(3,),
        ),
        Example(
            "go",
            """package h

func Sum(b []byte) [32]byte { return sha256.Sum256(b) }
""",
        ),
        Example(
            "javascript",
            """const digest = crypto.createHash('md5').update(password).digest('hex');
""",
            lines=(1,),
        ),
        Example(
            "javascript",
            """const digest = crypto.createHash('sha256').update(body).digest('hex');
""",
        ),
    ),
)

WEAK_CIPHER = Rule(
    id="BSSEC105",
    title="Weak cipher or mode (DES, 3DES, RC4, ECB)",
    skill="security",
    criterion="security.crypto",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    cwe=327,
    message="weak cipher or mode in `{name}`",
    rationale=(
        "DES and RC4 are broken, 3DES is deprecated, and ECB mode encrypts equal blocks to "
        "equal ciphertext, so the structure of the data shows through (CWE-327). "
        'Cipher.getInstance("AES") silently means AES/ECB.'
    ),
    fix="Use an authenticated mode of AES (AES/GCM/NoPadding in Java, AesGcm in .NET, cipher.NewGCM in Go, aes-256-gcm in node) with a fresh random nonce per message.",
    patterns=(
        Pattern(
            languages=("java",),
            query="""(method_invocation name: (identifier) @name (#eq? @name "getInstance")
              arguments: (argument_list . (string_literal) @alg)) @match""",
            text=r"(?i)Cipher\s*\.\s*getInstance\s*\(\s*\"(?:DES|DESede|TripleDES|RC4|RC2|Blowfish|ARCFOUR|AES|[^\"]*/ECB/[^\"]*)\"",
            needles=("Cipher",),
        ),
        Pattern(
            languages=("csharp",),
            query="""(invocation_expression function: (member_access_expression expression: (identifier) @name
              (#any-of? @name "DES" "TripleDES" "RC2"))) @match""",
            needles=("DES", "RC2"),
        ),
        Pattern(
            languages=("csharp",),
            query="""(object_creation_expression type: (identifier) @name
               (#any-of? @name "DESCryptoServiceProvider" "TripleDESCryptoServiceProvider" "RC2CryptoServiceProvider")) @match
              (member_access_expression expression: (identifier) @t (#eq? @t "CipherMode") name: (identifier) @name (#eq? @name "ECB")) @match""",
            needles=("DES", "RC2", "ECB"),
        ),
        Pattern(
            languages=("go",),
            query="""(call_expression function: (selector_expression operand: (identifier) @pkg
              (#any-of? @pkg "des" "rc4") field: (field_identifier) @name)) @match""",
            needles=("des.", "rc4."),
        ),
        Pattern(
            languages=JS,
            query="""(call_expression function: (member_expression property: (property_identifier) @name
              (#any-of? @name "createCipher" "createCipheriv" "createDecipher" "createDecipheriv"))
              arguments: (arguments . (_) @alg)) @match""",
            text=r"(?i)createDecipher\s*\(|createCipher\s*\(|\(\s*['\"](?:des[^'\"]*|rc4[^'\"]*|rc2[^'\"]*|bf[^'\"]*|[^'\"]*-ecb)['\"]",
            needles=("Cipher",),
        ),
    ),
    examples=(
        Example(
            "java",
            """class C {
  Cipher c() throws Exception { return Cipher.getInstance("DES/ECB/PKCS5Padding"); }
  Cipher d() throws Exception { return Cipher.getInstance("AES"); }
}
""",
            lines=(2, 3),
        ),
        Example(
            "java",
            """class C {
  Cipher c() throws Exception { return Cipher.getInstance("AES/GCM/NoPadding"); }
}
""",
        ),
        Example(
            "csharp",
            """class C {
  void E() { var des = DES.Create(); aes.Mode = CipherMode.ECB; }
}
""",
            lines=(2,),
        ),
        Example(
            "csharp",
            """class C {
  void E() { using var aes = new AesGcm(key); }
}
""",
        ),
        Example(
            "go",
            """package c

func New(key []byte) (cipher.Block, error) { return des.NewCipher(key) }
""",
            lines=(3,),
        ),
        Example(
            "go",
            """package c

func New(key []byte) (cipher.Block, error) { return aes.NewCipher(key) }
""",
        ),
        Example(
            "typescript",
            """const c = crypto.createCipheriv('des-ede3-cbc', key, iv);
""",
            lines=(1,),
        ),
        Example(
            "typescript",
            """const c = crypto.createCipheriv('aes-256-gcm', key, iv);
""",
        ),
    ),
)

TLS_OFF = Rule(
    id="BSSEC106",
    title="TLS certificate verification switched off",
    skill="security",
    criterion="security.crypto",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    cwe=295,
    message="TLS certificate verification is switched off (`{name}`)",
    rationale=(
        "A client that accepts any certificate talks to whoever answers: a machine-in-the-"
        "middle reads and changes everything, credentials included (CWE-295)."
    ),
    fix="Keep verification on; to trust a private CA, add its certificate to the trust store (RootCAs in Go, a custom trust store in Java, ca: in node) instead of accepting everything.",
    varies=(
        "Medium severity for `rejectUnauthorized: false` in the `ssl`/`tls` options of a "
        "database, cache or mail client (node-postgres, Sequelize's `dialectOptions`, ioredis, "
        "nodemailer): the connection to the service's own backing store, often a managed "
        "one with a self-signed certificate, not requests to any host. Medium confidence "
        "when the code sits in a branch taken on the service's configuration (`if "
        "(config.allowSelfSigned)`, `env.REDIS_URL.startsWith('rediss://') ? ...`): an "
        "operator's opt-in, not the default. A branch on the request is no opt-in."
    ),
    patterns=(
        Pattern(
            languages=("go",),
            query="""(keyed_element (literal_element (identifier) @name (#eq? @name "InsecureSkipVerify"))
              (literal_element (true))) @match""",
            needles=("InsecureSkipVerify",),
        ),
        Pattern(
            languages=("java",),
            query="""(method_declaration name: (identifier) @name
              (#any-of? @name "checkServerTrusted" "checkClientTrusted" "verify")
              body: (block) @body) @match""",
            text=r"(?s)(?:checkServerTrusted|checkClientTrusted)\s*\([^)]*\)\s*(?:throws[^{]*)?\{\s*(?://[^\n]*\s*)*\}|verify\s*\(\s*String\s+\w+\s*,\s*SSLSession\s+\w+\s*\)\s*\{\s*return\s+true\s*;\s*\}",
            needles=("Trusted", "SSLSession"),
        ),
        Pattern(
            languages=("java",),
            query="""(object_creation_expression type: (type_identifier) @name (#eq? @name "NoopHostnameVerifier")) @match
              (field_access field: (identifier) @name (#eq? @name "ALLOW_ALL_HOSTNAME_VERIFIER")) @match""",
            needles=("NoopHostnameVerifier", "ALLOW_ALL"),
        ),
        Pattern(
            languages=("csharp",),
            query="""(assignment_expression left: (_) @name
              (#match? @name "(ServerCertificateValidationCallback|ServerCertificateCustomValidationCallback|RemoteCertificateValidationCallback)$")
              right: (lambda_expression) @arg) @match""",
            text=r"=>\s*(?:\{\s*return\s+)?true\b",
            needles=("CertificateValidationCallback", "CertificateCustomValidationCallback"),
        ),
        Pattern(
            languages=("csharp",),
            query="""(member_access_expression name: (identifier) @name (#eq? @name "DangerousAcceptAnyServerCertificateValidator")) @match""",
            needles=("DangerousAcceptAny",),
        ),
        Pattern(
            languages=JS,
            query="""(pair key: (property_identifier) @name (#eq? @name "rejectUnauthorized") value: (false)) @match
              (assignment_expression left: (member_expression property: (property_identifier) @name
                 (#eq? @name "NODE_TLS_REJECT_UNAUTHORIZED")) right: (string) @v) @match""",
            text=r"false|['\"]0['\"]",
            needles=("rejectUnauthorized", "NODE_TLS_REJECT_UNAUTHORIZED"),
        ),
    ),
    examples=(
        Example(
            "go",
            """package c

var client = &http.Client{Transport: &http.Transport{
	TLSClientConfig: &tls.Config{InsecureSkipVerify: true},
}}
""",
            lines=(4,),
        ),
        Example(
            "go",
            """package c

var client = &http.Client{Transport: &http.Transport{
	TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS12},
}}
""",
        ),
        Example(
            "java",
            """class TrustAll implements X509TrustManager {
  public void checkClientTrusted(X509Certificate[] c, String a) {}
  public void checkServerTrusted(X509Certificate[] c, String a) {}
  public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
}
""",
            lines=(2, 3),
        ),
        Example(
            "java",
            """class Pinned implements X509TrustManager {
  public void checkServerTrusted(X509Certificate[] c, String a) throws CertificateException {
    delegate.checkServerTrusted(c, a);
  }
}
""",
        ),
        Example(
            "csharp",
            """class C {
  void Setup() {
    ServicePointManager.ServerCertificateValidationCallback = (s, c, ch, e) => true;
  }
}
""",
            lines=(3,),
        ),
        Example(
            "csharp",
            """class C {
  void Setup() {
    handler.ServerCertificateCustomValidationCallback = (m, c, ch, e) => e == SslPolicyErrors.None;
  }
}
""",
        ),
        Example(
            "javascript",
            """const agent = new https.Agent({ rejectUnauthorized: false });
""",
            lines=(1,),
        ),
        Example(
            "javascript",
            """const agent = new https.Agent({ rejectUnauthorized: true, ca: fs.readFileSync('ca.pem') });
""",
        ),
    ),
)

RULES = (WEAK_HASH, WEAK_CIPHER, TLS_OFF)
