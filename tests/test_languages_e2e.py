"""End to end: a tiny vulnerable service per language against its fixed twin.

Each vulnerable tree gets findings at the right file and line, scores lower in web
security than its fixed twin, and has server-side programming assessed.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest

from backend_skills import Report, score
from tests.conftest import TreeFactory

SPRING_VULN = {
    "pom.xml": "<project><artifactId>shop</artifactId></project>\n",
    "src/main/java/shop/UserController.java": """
        package shop;

        /** Users. */
        @RestController
        public class UserController {
            private static final String DB_PASSWORD = "s3cr3t-Pa55w0rd";

            /** Finds users by name. */
            @GetMapping("/users")
            public List<User> find(@RequestParam String name) throws Exception {
                Statement st = dataSource.getConnection().createStatement();
                ResultSet rs = st.executeQuery("SELECT * FROM users WHERE name = '" + name + "'");
                return map(rs);
            }

            /** Pings a host. */
            @GetMapping("/ping")
            public String ping(@RequestParam String host) throws Exception {
                Runtime.getRuntime().exec("ping -c 1 " + host);
                return "ok";
            }

            /** Reads an uploaded object. */
            @PostMapping("/import")
            public Object load(HttpServletRequest request) throws Exception {
                return new ObjectInputStream(request.getInputStream()).readObject();
            }
        }
    """,
    "src/main/java/shop/SecurityConfig.java": """
        package shop;

        /** Security. */
        public class SecurityConfig {
            /** The filter chain. */
            public SecurityFilterChain chain(HttpSecurity http) throws Exception {
                http.csrf().disable();
                return http.build();
            }
        }
    """,
    "src/main/resources/application.properties": "management.endpoints.web.exposure.include=*\n",
    "src/test/java/shop/UserControllerTest.java": """
        package shop;

        class UserControllerTest {
            @Test
            void finds() { assertEquals(1, controller.find("a").size()); }
            @Test
            void pings() { assertEquals("ok", controller.ping("localhost")); }
            @Test
            void loads() { assertNotNull(controller.load(request)); }
        }
    """,
}

SPRING_FIXED = {
    "pom.xml": "<project><artifactId>shop</artifactId></project>\n",
    "src/main/java/shop/UserController.java": """
        package shop;

        /** Users. */
        @RestController
        public class UserController {
            private final String dbPassword = System.getenv("DB_PASSWORD");

            /** Finds users by name. */
            @GetMapping("/users")
            public List<User> find(@RequestParam String name) {
                return jdbcTemplate.query("SELECT * FROM users WHERE name = ?", mapper, name);
            }

            /** Pings a host. */
            @GetMapping("/ping")
            public String ping(@RequestParam String host) throws Exception {
                new ProcessBuilder("ping", "-c", "1", "localhost").start();
                return "ok";
            }

            /** Reads an uploaded object. */
            @PostMapping("/import")
            public Object load(HttpServletRequest request) throws Exception {
                return mapper.readValue(request.getInputStream(), Order.class);
            }
        }
    """,
    "src/main/java/shop/SecurityConfig.java": """
        package shop;

        /** Security. */
        public class SecurityConfig {
            /** The filter chain. */
            public SecurityFilterChain chain(HttpSecurity http) throws Exception {
                return http.build();
            }
        }
    """,
    "src/main/resources/application.properties": "management.endpoints.web.exposure.include=health,info\n",
    "src/test/java/shop/UserControllerTest.java": SPRING_VULN[
        "src/test/java/shop/UserControllerTest.java"
    ],
}

EXPRESS_VULN = {
    "package.json": '{"name": "shop", "dependencies": {"express": "^4.18.0"}}\n',
    "src/app.js": """
        const express = require('express');
        const { exec } = require('child_process');
        const serialize = require('node-serialize');
        const app = express();

        app.get('/users', (req, res) => {
          db.query(`SELECT * FROM users WHERE name = '${req.query.name}'`, (err, rows) => res.json(rows));
        });

        app.get('/ping', (req, res) => {
          exec('ping -c 1 ' + req.query.host, (err, out) => res.send(out));
        });

        app.post('/calc', (req, res) => {
          res.json({ value: eval(req.body.expression) });
        });

        app.post('/profile', (req, res) => {
          res.json(serialize.unserialize(req.cookies.profile));
        });

        module.exports = app;
    """,
    "src/app.test.js": """
        describe('app', () => {
          it('lists users', async () => { expect((await get('/users')).status).toBe(200); });
        });
    """,
}

EXPRESS_FIXED = {
    "package.json": EXPRESS_VULN["package.json"],
    "package-lock.json": '{"name": "shop", "lockfileVersion": 3, "packages": {}}\n',
    "src/app.js": """
        const express = require('express');
        const { execFile } = require('child_process');
        const { requireAuth } = require('./auth');
        const app = express();

        app.get('/users', (req, res) => {
          db.query('SELECT * FROM users WHERE name = ?', [req.query.name], (err, rows) => res.json(rows));
        });

        app.get('/ping', (req, res) => {
          execFile('ping', ['-c', '1', 'localhost'], (err, out) => res.send(out));
        });

        app.post('/calc', requireAuth, (req, res) => {
          res.json({ value: Number(req.body.a) + Number(req.body.b) });
        });

        app.post('/profile', requireAuth, (req, res) => {
          res.json(JSON.parse(req.cookies.profile));
        });

        module.exports = app;
    """,
    "src/app.test.js": EXPRESS_VULN["src/app.test.js"],
}

GO_VULN = {
    "go.mod": "module shop\n\ngo 1.22\n",
    "main.go": """
        package main

        import (
            "crypto/tls"
            "database/sql"
            "net/http"
            "os/exec"
        )

        // FindUser looks a user up by name.
        func FindUser(db *sql.DB, r *http.Request) (*sql.Rows, error) {
            name := r.URL.Query().Get("name")
            return db.Query("SELECT * FROM users WHERE name = '" + name + "'")
        }

        // Ping pings the host in the request.
        func Ping(w http.ResponseWriter, r *http.Request) {
            host := r.URL.Query().Get("host")
            out, _ := exec.Command("sh", "-c", "ping -c 1 "+host).Output()
            w.Write(out)
        }

        // Client talks to the partner API.
        var Client = &http.Client{Transport: &http.Transport{
            TLSClientConfig: &tls.Config{InsecureSkipVerify: true},
        }}
    """,
    "main_test.go": """
        package main

        func TestPing(t *testing.T) {
            if Client == nil {
                t.Fatal("no client")
            }
        }
    """,
}

GO_FIXED = {
    "go.mod": GO_VULN["go.mod"],
    "main.go": """
        package main

        import (
            "database/sql"
            "net/http"
            "os/exec"
        )

        // FindUser looks a user up by name.
        func FindUser(db *sql.DB, r *http.Request) (*sql.Rows, error) {
            name := r.URL.Query().Get("name")
            return db.Query("SELECT * FROM users WHERE name = $1", name)
        }

        // Ping pings the host in the request.
        func Ping(w http.ResponseWriter, r *http.Request) {
            out, err := exec.Command("ping", "-c", "1", "localhost").Output()
            if err != nil {
                http.Error(w, "ping failed", http.StatusBadGateway)
                return
            }
            w.Write(out)
        }

        // Client talks to the partner API.
        var Client = &http.Client{}
    """,
    "main_test.go": GO_VULN["main_test.go"],
}

ASPNET_VULN = {
    "Shop/Shop.csproj": '<Project Sdk="Microsoft.NET.Sdk.Web"></Project>\n',
    "Shop/Controllers/UsersController.cs": """
        namespace Shop.Controllers;

        /// <summary>Users.</summary>
        [ApiController]
        public class UsersController : ControllerBase
        {
            /// <summary>Finds users.</summary>
            [HttpGet("users")]
            public IActionResult Find([FromQuery] string name)
            {
                var cmd = new SqlCommand("SELECT * FROM Users WHERE Name = '" + name + "'", conn);
                return Ok(cmd.ExecuteReader());
            }

            /// <summary>Imports an object.</summary>
            [HttpPost("import")]
            public object Import()
            {
                var formatter = new BinaryFormatter();
                return formatter.Deserialize(Request.Body);
            }

            /// <summary>Hashes a password.</summary>
            public byte[] Hash(byte[] password)
            {
                using var md5 = MD5.Create();
                return md5.ComputeHash(password);
            }
        }
    """,
    "Shop.Tests/UsersControllerTests.cs": """
        public class UsersControllerTests
        {
            [Fact]
            public void Finds() { Assert.NotNull(new UsersController().Find("a")); }
        }
    """,
}

ASPNET_FIXED = {
    "Shop/Shop.csproj": ASPNET_VULN["Shop/Shop.csproj"],
    "Shop/Controllers/UsersController.cs": """
        namespace Shop.Controllers;

        /// <summary>Users.</summary>
        [ApiController]
        [Authorize]
        public class UsersController : ControllerBase
        {
            /// <summary>Finds users.</summary>
            [HttpGet("users")]
            public IActionResult Find([FromQuery] string name)
            {
                var cmd = new SqlCommand("SELECT * FROM Users WHERE Name = @name", conn);
                cmd.Parameters.AddWithValue("@name", name);
                return Ok(cmd.ExecuteReader());
            }

            /// <summary>Imports an object.</summary>
            [HttpPost("import")]
            public object Import()
            {
                return JsonSerializer.Deserialize<Order>(Request.Body);
            }

            /// <summary>Hashes a password.</summary>
            public byte[] Hash(byte[] password)
            {
                return SHA256.HashData(password);
            }
        }
    """,
    "Shop.Tests/UsersControllerTests.cs": ASPNET_VULN["Shop.Tests/UsersControllerTests.cs"],
}

# (name, vulnerable tree, fixed tree, {(path, snippet): rule})
SCENARIOS = [
    (
        "spring",
        SPRING_VULN,
        SPRING_FIXED,
        {
            ("src/main/java/shop/UserController.java", "st.executeQuery("): "BSSEC101",
            ("src/main/java/shop/UserController.java", "DB_PASSWORD ="): "BSSEC109",
            ("src/main/java/shop/UserController.java", "getRuntime().exec("): "BSSEC102",
            ("src/main/java/shop/UserController.java", "new ObjectInputStream"): "BSSEC107",
            ("src/main/java/shop/SecurityConfig.java", "csrf().disable()"): "BSSEC111",
            ("src/main/resources/application.properties", "exposure.include=*"): "BSSEC113",
        },
    ),
    (
        "express",
        EXPRESS_VULN,
        EXPRESS_FIXED,
        {
            ("src/app.js", "db.query(`SELECT"): "BSSEC101",
            ("src/app.js", "exec('ping"): "BSSEC102",
            ("src/app.js", "eval(req.body"): "BSSEC103",
            ("src/app.js", "serialize.unserialize("): "BSSEC107",
        },
    ),
    (
        "go",
        GO_VULN,
        GO_FIXED,
        {
            ("main.go", "db.Query("): "BSSEC101",
            ("main.go", 'exec.Command("sh"'): "BSSEC102",
            ("main.go", "InsecureSkipVerify"): "BSSEC106",
            ("main.go", "out, _ := exec"): "BSSRV103",
        },
    ),
    (
        "aspnet",
        ASPNET_VULN,
        ASPNET_FIXED,
        {
            ("Shop/Controllers/UsersController.cs", "new SqlCommand("): "BSSEC101",
            ("Shop/Controllers/UsersController.cs", "new BinaryFormatter()"): "BSSEC107",
            ("Shop/Controllers/UsersController.cs", "MD5.Create()"): "BSSEC104",
        },
    ),
]


def _score(make_tree: TreeFactory, files: Mapping[str, str]) -> tuple[Path, Report]:
    root = make_tree(files)
    return root, score(
        root, skills=["security", "server_side", "database"], isolated=True, cache=False
    )


def _skill(report: Report, skill: str) -> float | None:
    return next(s.score for s in report.skills if s.id == skill)


def _line(root: Path, path: str, snippet: str) -> int:
    lines = [n for n, t in enumerate((root / path).read_text().splitlines(), 1) if snippet in t]
    assert len(lines) == 1, (path, snippet, lines)
    return lines[0]


@pytest.mark.parametrize(
    ("name", "vulnerable", "fixed", "expected"), SCENARIOS, ids=[s[0] for s in SCENARIOS]
)
def test_vulnerable_service_against_its_fixed_twin(
    make_tree: TreeFactory,
    name: str,
    vulnerable: Mapping[str, str],
    fixed: Mapping[str, str],
    expected: Mapping[tuple[str, str], str],
) -> None:
    vroot, vreport = _score(make_tree, vulnerable)
    _froot, freport = _score(make_tree, fixed)
    assert vreport.complete
    assert freport.complete
    for (path, snippet), rule in expected.items():
        line = _line(vroot, path, snippet)
        found = {f.rule for f in vreport.findings if f.path == path and f.line == line}
        assert rule in found, (path, line, rule, found)
    ours = [f for f in freport.findings if f.checker == "polyglot" and f.skill == "security"]
    assert ours == [], [(f.rule, f.path, f.line) for f in ours]
    vsec, fsec = _skill(vreport, "security"), _skill(freport, "security")
    assert vsec is not None
    assert fsec is not None
    assert vsec < 60 <= fsec, (vsec, fsec)
    # server-side programming is assessed from the language's own code
    server = next(s for s in freport.skills if s.id == "server_side")
    assert server.applicable
    assert server.score is not None
    complexity = next(c for c in server.criteria if c.id == "server_side.complexity")
    assert complexity.applicable
    assert complexity.metrics["radon.cc_share_c_or_worse"] == 0
    tests = next(c for c in server.criteria if c.id == "server_side.tests")
    assert tests.applicable
    assert (tests.score or 0) > 0


def test_sql_injection_in_java_counts_in_query_safety_and_injection(make_tree: TreeFactory) -> None:
    _root, report = _score(make_tree, SPRING_VULN)
    database = next(s for s in report.skills if s.id == "database")
    safety = next(c for c in database.criteria if c.id == "database.query_safety")
    assert safety.applicable
    assert safety.finding_count >= 1
    assert safety.score is not None
    assert safety.score < 50
    security = next(s for s in report.skills if s.id == "security")
    injection = next(c for c in security.criteria if c.id == "security.injection")
    assert injection.finding_count >= 2  # SQL and the command


def test_python_and_java_complexity_combine_weighted_by_functions(make_tree: TreeFactory) -> None:
    branches = "\n".join(f"        if (x == {i}) {{ y += {i}; }}" for i in range(12))
    files = {
        "app/simple.py": "".join(f"def f{i}(x: int) -> int:\n    return x\n\n\n" for i in range(3)),
        "src/main/java/A.java": f"class A {{\n    int f(int x) {{\n        int y = 0;\n{branches}\n        return y;\n    }}\n}}\n",
    }
    root = make_tree(files)
    report = score(root, skills=["server_side"], isolated=True, cache=False)
    complexity = next(
        c for s in report.skills for c in s.criteria if c.id == "server_side.complexity"
    )
    # 1 complex Java method out of 4 functions (3 Python, 1 Java)
    assert complexity.metrics["radon.cc_share_c_or_worse"] == 0.25
    assert complexity.metrics["radon.blocks"] == 4
    worst = next(c for s in report.skills for c in s.criteria if c.id == "server_side.worst_block")
    assert worst.metrics["radon.cc_worst"] == 13


def test_dependency_pinning_combines_across_ecosystems(make_tree: TreeFactory) -> None:
    files = {
        "requirements.txt": "flask==3.0.0\nrequests==2.31.0\n",
        "web/package.json": '{"dependencies": {"express": "^4.18.0"}, "devDependencies": {"jest": "~29.0.0"}}\n',
        "svc/go.mod": "module svc\n\ngo 1.22\n\nrequire (\n\tgithub.com/gin-gonic/gin v1.9.1\n)\n",
        "svc/go.sum": "github.com/gin-gonic/gin v1.9.1 h1:abc=\n",
        "app.py": "def f(x: int) -> int:\n    return x\n",
    }
    root = make_tree(files)
    report = score(root, skills=["security"], isolated=True, cache=False)
    deps = next(c for s in report.skills for c in s.criteria if c.id == "security.dependencies")
    assert deps.applicable
    # 2 pinned Python requirements, 2 npm ranges without a lock file, 1 Go module with go.sum
    assert deps.metrics["security.dependency_risk_pct"] == 40.0
    flagged = sorted((f.path, f.line) for f in report.findings if f.rule == "BSSEC118")
    assert flagged == [("web/package.json", 1), ("web/package.json", 1)]
    (root / "web" / "package-lock.json").write_text('{"lockfileVersion": 3}\n')
    report = score(root, skills=["security"], isolated=True, cache=False)
    deps = next(c for s in report.skills for c in s.criteria if c.id == "security.dependencies")
    assert deps.metrics["security.dependency_risk_pct"] == 0.0


def test_scalability_is_assessed_for_an_aspnet_service(make_tree: TreeFactory) -> None:
    files = {
        "Api/Controllers/ItemsController.cs": """
            public class ItemsController : ControllerBase
            {
                private readonly IMemoryCache _cache;

                [HttpGet("items")]
                public async Task<IActionResult> List()
                {
                    var items = _repository.ListAsync().Result;
                    BackgroundJob.Enqueue(() => _mailer.SendDigest());
                    return Ok(items);
                }
            }
        """,
    }
    root = make_tree(files)
    report = score(root, skills=["scalability"], isolated=True, cache=False)
    criteria = {c.id: c for s in report.skills for c in s.criteria}
    assert criteria["scalability.caching"].applicable
    assert criteria["scalability.caching"].metrics["scalability.cache_evidence"] == 1
    assert criteria["scalability.background_jobs"].metrics["scalability.background_evidence"] == 1
    blocking = [f for f in report.findings if f.rule == "BSSCL101"]
    assert [(f.path, f.line) for f in blocking] == [("Api/Controllers/ItemsController.cs", 8)]
    assert criteria["scalability.async_blocking"].applicable
    blocking_score = criteria["scalability.async_blocking"].score
    assert blocking_score is not None
    assert blocking_score < 100


JAVA_REDIRECT = {
    "pom.xml": "<project><artifactId>shop</artifactId></project>\n",
    "src/main/java/shop/GoController.java": """package shop;

import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

public class GoController {
    /** Sends the caller on. */
    public void go(HttpServletRequest request, HttpServletResponse response) throws Exception {
        response.sendRedirect(request.getParameter("next"));
    }
}
""",
}


def test_a_redirect_in_a_java_only_repository_counts_in_its_criterion(
    make_tree: TreeFactory,
) -> None:
    """An open redirect in a repository with no Python is scored, not dropped as "no
    source code to measure" (every rule's criterion is one the polyglot checker feeds)."""
    root = make_tree(JAVA_REDIRECT)
    report = score(root, skills=["security"], isolated=True, cache=False)
    found = [f for f in report.findings if f.rule == "BSSEC116"]
    assert [(f.path, f.line) for f in found] == [("src/main/java/shop/GoController.java", 9)]
    security = next(s for s in report.skills if s.id == "security")
    general = next(c for c in security.criteria if c.id == "security.general")
    assert general.applicable
    assert general.finding_count == 1
    assert general.score is not None
    assert general.score < 100


def test_every_polyglot_rule_scores_in_a_criterion_the_checker_feeds() -> None:
    from backend_skills.checkers.polyglot import PolyglotChecker
    from backend_skills.rules import POLYGLOT_RULES

    unfed = {
        r.id: r.criterion
        for r in POLYGLOT_RULES.values()
        if r.criterion not in PolyglotChecker.feeds
    }
    assert unfed == {}
