"""Cross-file taint in the tree-sitter languages: request input read in one file (a
controller, a route, a Web Forms page) and passed to a method whose parameter another
file concatenates into SQL makes that SQL finding a vulnerability (it caps the
security score); the same call with a constant leaves it a hotspot."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest

from backend_skills import Report, score
from backend_skills.core.models import Confidence, Finding, Severity
from tests.conftest import TreeFactory

CS_CONTROLLER = """
    using Microsoft.AspNetCore.Mvc;

    [ApiController]
    [Route("users")]
    public class UsersController : ControllerBase
    {
        private readonly IUserRepository _users;

        public UsersController(IUserRepository users) { _users = users; }

        [HttpGet]
        public IActionResult Find(string name)
        {
            return Ok(_users.FindByName(ARG));
        }
    }
"""
CS_REPOSITORY = """
    using System.Data.SqlClient;

    public class UserRepository : IUserRepository
    {
        private readonly string _connectionString;

        public object FindByName(string name)
        {
            using var conn = new SqlConnection(_connectionString);
            var cmd = new SqlCommand("SELECT * FROM Users WHERE Name = '" + name + "'", conn);
            return cmd.ExecuteScalar();
        }
    }
"""
JAVA_CONTROLLER = """
    package shop;

    @RestController
    public class UserController {
        private final UserDao userDao;

        public UserController(UserDao userDao) { this.userDao = userDao; }

        @GetMapping("/users")
        public List<User> find(@RequestParam String name) {
            return userDao.findByName(ARG);
        }
    }
"""
JAVA_DAO = """
    package shop;

    @Repository
    public class UserDao {
        private final JdbcTemplate jdbcTemplate;

        public UserDao(JdbcTemplate jdbcTemplate) { this.jdbcTemplate = jdbcTemplate; }

        public List<User> findByName(String name) {
            return jdbcTemplate.query("SELECT * FROM users WHERE name = '" + name + "'", mapper);
        }
    }
"""
JS_ROUTE = """
    const express = require('express');
    const db = require('../db');

    const router = express.Router();

    router.get('/users', async (req, res) => {
      res.json(await db.findUser(ARG));
    });

    module.exports = router;
"""
JS_DB = """
    const pool = require('./pool');

    async function findUser(name) {
      return pool.query(`SELECT * FROM users WHERE name = '${name}'`);
    }

    module.exports = { findUser };
"""
GO_HANDLER = """
    package api

    import "net/http"

    func FindUser(w http.ResponseWriter, r *http.Request) {
        rows, _ := store.FindUser(db, ARG)
        write(w, rows)
    }
"""
GO_STORE = """
    package store

    import "database/sql"

    func FindUser(db *sql.DB, name string) (*sql.Rows, error) {
        return db.Query("SELECT * FROM users WHERE name = '" + name + "'")
    }
"""

#: language -> (files with ARG in the caller, the sink's file, request arg, constant arg)
CASES: dict[str, tuple[dict[str, str], str, str, str]] = {
    "csharp": (
        {"Api/UsersController.cs": CS_CONTROLLER, "Data/UserRepository.cs": CS_REPOSITORY},
        "Data/UserRepository.cs",
        "name",
        '"bob"',
    ),
    "java": (
        {
            "pom.xml": "<project><artifactId>shop</artifactId></project>\n",
            "src/main/java/shop/UserController.java": JAVA_CONTROLLER,
            "src/main/java/shop/UserDao.java": JAVA_DAO,
        },
        "src/main/java/shop/UserDao.java",
        "name",
        '"bob"',
    ),
    "javascript": (
        {
            "package.json": '{"name": "shop", "dependencies": {"express": "4.18.2"}}\n',
            "routes/users.js": JS_ROUTE,
            "db.js": JS_DB,
        },
        "db.js",
        "req.query.name",
        "'bob'",
    ),
    "go": (
        {
            "go.mod": "module shop\n\ngo 1.22\n",
            "api/users.go": GO_HANDLER,
            "store/users.go": GO_STORE,
        },
        "store/users.go",
        'r.URL.Query().Get("name")',
        '"bob"',
    ),
}


def _score(make_tree: TreeFactory, files: Mapping[str, str]) -> tuple[Path, Report]:
    root = make_tree(files)
    return root, score(root, skills=["security", "database"], isolated=True, cache=False)


def _sql(report: Report, path: str) -> Finding:
    found = [f for f in report.findings if f.rule == "BSSEC101" and f.path == path]
    assert len(found) == 1, [(f.rule, f.path, f.message) for f in report.findings]
    return found[0]


def _security(report: Report) -> float | None:
    return next(s.score for s in report.skills if s.id == "security")


def _caller(files: Mapping[str, str]) -> str:
    return next(p for p, text in files.items() if "ARG" in text)


def _line_of(root: Path, path: str, snippet: str) -> int:
    lines = (root / path).read_text().splitlines()
    return next(n for n, text in enumerate(lines, 1) if snippet in text)


@pytest.mark.parametrize("language", sorted(CASES))
def test_request_input_from_another_file_makes_the_sink_a_vulnerability(
    make_tree: TreeFactory, language: str
) -> None:
    files, sink_path, request_arg, _constant = CASES[language]
    caller = _caller(files)
    root, report = _score(make_tree, {p: t.replace("ARG", request_arg) for p, t in files.items()})
    finding = _sql(report, sink_path)
    assert (finding.severity, finding.confidence) == (Severity.HIGH, Confidence.HIGH)
    call_line = _line_of(
        root, caller, f", {request_arg})" if language == "go" else f"({request_arg})"
    )
    assert f"request input passed from {caller}:{call_line}" in finding.message
    assert finding.line == _line_of(root, sink_path, "SELECT")
    security = _security(report)
    assert security is not None
    assert security < 60


@pytest.mark.parametrize("language", sorted(CASES))
def test_a_constant_argument_leaves_the_sink_a_hotspot(
    make_tree: TreeFactory, language: str
) -> None:
    files, sink_path, _request, constant = CASES[language]
    _root, report = _score(make_tree, {p: t.replace("ARG", constant) for p, t in files.items()})
    finding = _sql(report, sink_path)
    assert finding.severity is Severity.MEDIUM
    assert finding.confidence is Confidence.MEDIUM
    assert "hotspot" in finding.message
    assert "passed from" not in finding.message
    security = _security(report)
    assert security is not None
    assert security >= 60


WEB_FORMS_PAGE = """
    using System;

    public partial class Login : System.Web.UI.Page
    {
        private IDbProvider du = Settings.CurrentDbProvider;

        protected void ButtonLogOn_Click(object sender, EventArgs e)
        {
            string email = txtUserName.Text;
            if (!du.IsValidLogin(email))
            {
                labelError.Text = "Incorrect username";
            }
        }
    }
"""
WEB_FORMS_PROVIDER = """
    public class MySqlDbProvider : IDbProvider
    {
        public bool IsValidLogin(string email)
        {
            string sql = "select * from CustomerLogin where email = '" + email + "'";
            MySqlDataAdapter da = new MySqlDataAdapter(sql, _connection);
            return Fill(da);
        }
    }
"""


def test_web_forms_control_text_is_request_input(make_tree: TreeFactory) -> None:
    root, report = _score(
        make_tree,
        {"Login.aspx.cs": WEB_FORMS_PAGE, "App_Code/MySqlDbProvider.cs": WEB_FORMS_PROVIDER},
    )
    finding = _sql(report, "App_Code/MySqlDbProvider.cs")
    assert finding.severity is Severity.HIGH
    line = _line_of(root, "Login.aspx.cs", "du.IsValidLogin(email)")
    assert f"passed from Login.aspx.cs:{line}" in finding.message


def test_control_text_outside_a_page_is_not_request_input(make_tree: TreeFactory) -> None:
    _root, report = _score(
        make_tree,
        {"Login.cs": WEB_FORMS_PAGE, "App_Code/MySqlDbProvider.cs": WEB_FORMS_PROVIDER},
    )
    assert _sql(report, "App_Code/MySqlDbProvider.cs").severity is Severity.MEDIUM


def test_web_forms_request_indexer_is_request_input(make_tree: TreeFactory) -> None:
    handler = """
        public class Autocomplete : IHttpHandler
        {
            private IDbProvider du = Settings.CurrentDbProvider;

            public void ProcessRequest(HttpContext context)
            {
                string query = context.Request["query"];
                var ds = du.IsValidLogin(query);
            }
        }
    """
    _root, report = _score(
        make_tree,
        {"Autocomplete.ashx.cs": handler, "App_Code/MySqlDbProvider.cs": WEB_FORMS_PROVIDER},
    )
    assert _sql(report, "App_Code/MySqlDbProvider.cs").severity is Severity.HIGH


def test_a_receiver_of_another_type_does_not_match(make_tree: TreeFactory) -> None:
    page = WEB_FORMS_PAGE.replace("IDbProvider du", "AuditLog du")
    _root, report = _score(
        make_tree, {"Login.aspx.cs": page, "App_Code/MySqlDbProvider.cs": WEB_FORMS_PROVIDER}
    )
    assert _sql(report, "App_Code/MySqlDbProvider.cs").severity is Severity.MEDIUM


def test_a_numeric_parameter_carries_no_injection(make_tree: TreeFactory) -> None:
    repository = CS_REPOSITORY.replace("FindByName(string name)", "FindByName(int name)")
    _root, report = _score(
        make_tree,
        {
            "Api/UsersController.cs": CS_CONTROLLER.replace("ARG", "name"),
            "Data/UserRepository.cs": repository,
        },
    )
    assert _sql(report, "Data/UserRepository.cs").severity is Severity.MEDIUM


MEDIATR_CONTROLLER = """
    public class CitiesController : ApiController
    {
        private readonly IMediator _mediator;

        [HttpGet]
        public async Task<IHttpActionResult> GetCityByName(string name) =>
            Ok(await _mediator.Send(new CityQueries.GetCityByNameQuery(name)));
    }
"""
MEDIATR_HANDLER = """
    public sealed class GetCityByNameQueryHandler : IRequestHandler<GetCityByNameQuery, City>
    {
        private readonly ICityRepository _repository;

        public Task<City> Handle(GetCityByNameQuery request, CancellationToken cancellationToken)
        {
            return _repository.GetCityByName(request.Name);
        }
    }
"""
MEDIATR_REPOSITORY = """
    public sealed class CityRepository : ICityRepository
    {
        public Task<City> GetCityByName(string name)
        {
            var query = $"select * from Cities where Name = '{name}'";
            return _dbContext.Cities.FromSqlRaw(query).FirstOrDefaultAsync();
        }
    }
"""


def test_a_message_through_its_handler_reaches_the_repository(make_tree: TreeFactory) -> None:
    root, report = _score(
        make_tree,
        {
            "Api/CitiesController.cs": MEDIATR_CONTROLLER,
            "App/GetCityByNameQueryHandler.cs": MEDIATR_HANDLER,
            "Data/CityRepository.cs": MEDIATR_REPOSITORY,
        },
    )
    finding = _sql(report, "Data/CityRepository.cs")
    assert finding.severity is Severity.HIGH
    line = _line_of(root, "Api/CitiesController.cs", "new CityQueries")
    assert f"passed from Api/CitiesController.cs:{line} through `Handle`" in finding.message


def test_a_wrapper_with_a_constant_caller_stays_a_hotspot(make_tree: TreeFactory) -> None:
    controller = MEDIATR_CONTROLLER.replace(
        "GetCityByNameQuery(name)", 'GetCityByNameQuery("Paris")'
    )
    _root, report = _score(
        make_tree,
        {
            "Api/CitiesController.cs": controller,
            "App/GetCityByNameQueryHandler.cs": MEDIATR_HANDLER,
            "Data/CityRepository.cs": MEDIATR_REPOSITORY,
        },
    )
    assert _sql(report, "Data/CityRepository.cs").severity is Severity.MEDIUM


def test_a_function_local_to_another_is_not_reached_from_another_file(
    make_tree: TreeFactory,
) -> None:
    """A named function declared inside another function (``function get(cmd)`` inside
    ``getGitInfo``) cannot be called from another file: a route calling some other
    ``get`` with request input leaves its sink a hotspot."""
    info = """
        const { exec } = require('child_process');

        async function getGitInfo() {
            function get(cmd, callback) {
                exec(cmd, (err, stdout) => callback(stdout));
            }
            return new Promise((resolve) => get('git rev-parse HEAD', resolve));
        }

        module.exports = { getGitInfo };
    """
    exported = info.replace(
        "async function getGitInfo() {\n            function get(cmd, callback) {\n"
        "                exec(cmd, (err, stdout) => callback(stdout));\n            }",
        "function get(cmd, callback) {\n            exec(cmd, (err, stdout) => callback(stdout));\n"
        "        }\n\n        async function getGitInfo() {",
    ).replace("{ getGitInfo }", "{ getGitInfo, get }")
    route = """
        const groups = require('./groups');

        module.exports = function (router) {
            router.get('/groups/:name', async (req, res) => {
                res.json(await groups.get(req.params.name, {}));
            });
        };
    """
    for source, upgraded in ((info, False), (exported, True)):
        _root, report = _score(make_tree, {"src/info.js": source, "src/routes.js": route})
        (finding,) = [f for f in report.findings if f.rule == "BSSEC102"]
        assert ("passed from src/routes.js" in finding.message) is upgraded, finding.message


JAVA_ANONYMOUS_SERVICE = """
    package hawk;

    public class SearchService {
        public List<Item> search(String search) {
            return session.doReturningWork(new ReturningWork<List<Item>>() {
                @Override
                public List<Item> execute(Connection connection) throws SQLException {
                    String query = "select * from item where name like '%" + search + "%'";
                    return Items.of(connection.createStatement().executeQuery(query));
                }
            });
        }
    }
"""
JAVA_SEARCH_CONTROLLER = """
    package hawk;

    @RestController
    public class SearchController {
        private final SearchService searchService;

        @GetMapping("/search")
        public List<Item> find(@RequestParam String text) {
            return searchService.search(ARG);
        }
    }
"""


@pytest.mark.parametrize(("arg", "traced"), [("text", True), ('"lamp"', False)])
def test_a_java_anonymous_class_method_is_a_callback_of_its_method(
    make_tree: TreeFactory, arg: str, traced: bool
) -> None:
    """``new ReturningWork<>() { execute(...) }`` runs the outer method's captured
    parameter into SQL: reached from the controller like a lambda would be."""
    files = {
        "src/main/java/hawk/SearchService.java": JAVA_ANONYMOUS_SERVICE,
        "src/main/java/hawk/SearchController.java": JAVA_SEARCH_CONTROLLER.replace("ARG", arg),
    }
    root, report = _score(make_tree, files)
    finding = _sql(report, "src/main/java/hawk/SearchService.java")
    assert finding.line == _line_of(root, "src/main/java/hawk/SearchService.java", "executeQuery")
    if traced:
        assert (finding.severity, finding.confidence) == (Severity.HIGH, Confidence.HIGH)
        assert "passed from src/main/java/hawk/SearchController.java" in finding.message
    else:
        assert finding.severity is Severity.MEDIUM
        assert "hotspot" in finding.message


GO_FACTORY_HANDLER = """
    package api

    import "net/http"

    // Users builds the user search handler.
    func (h *Handler) Users() http.HandlerFunc {
        return func(w http.ResponseWriter, r *http.Request) {
            name := input(r)
            rows, _ := h.store.FindUser(ARG)
            defer rows.Close()
        }
    }
"""
GO_STORE = """
    package store

    import "database/sql"

    type Store struct{ db *sql.DB }

    func (s *Store) FindUser(name string) (*sql.Rows, error) {
        return s.db.Query("SELECT * FROM users WHERE name = '" + name + "'")
    }
"""


@pytest.mark.parametrize(("arg", "traced"), [("name", True), ('"alice"', False)])
def test_a_go_handler_built_by_a_factory_passes_its_request_on(
    make_tree: TreeFactory, arg: str, traced: bool
) -> None:
    """``return func(w, r *http.Request) { name := input(r); store.FindUser(name) }``: the
    closure's request parameter is request input, as a handler function's is."""
    files = {
        "go.mod": "module example.com/app\n\ngo 1.22\n",
        "api/users.go": GO_FACTORY_HANDLER.replace("ARG", arg),
        "store/store.go": GO_STORE,
    }
    _root, report = _score(make_tree, files)
    finding = _sql(report, "store/store.go")
    if traced:
        assert (finding.severity, finding.confidence) == (Severity.HIGH, Confidence.HIGH)
        assert "passed from api/users.go" in finding.message
    else:
        assert "hotspot" in finding.message


JS_WRAPPED_DB = """
    const sqlite3 = require('sqlite3');
    const db = new sqlite3.Database('app.db');

    class WrappedDatabase {
      all(sql) {
        return db.all(sql);
      }
    }
    module.exports = new WrappedDatabase();
"""
JS_SERVICE = """
    const express = require('express');
    const app = express();

    app.post('/accounts', async (req, res) => {
      const accounts = req.body.accounts;
      res.json(await Promise.all(accounts.map((a) => fetchAccount(a))));
    });
"""


def test_a_call_on_a_javascript_builtin_reaches_no_project_method(
    make_tree: TreeFactory,
) -> None:
    """actual-server: ``Promise.all(requisition.accounts.map(...))`` is no call of the
    project's ``WrappedDatabase.all(sql)``."""
    files = {"src/db.js": JS_WRAPPED_DB, "src/app.js": JS_SERVICE}
    _root, report = _score(make_tree, files)
    finding = _sql(report, "src/db.js")
    assert "passed from" not in finding.message
    assert finding.severity is Severity.MEDIUM
