"""Path traversal: request input choosing a file the server reads, writes or sends."""

from __future__ import annotations

from backend_skills.core.models import Confidence, Severity

from ._model import Example, Pattern, Rule

JS = ("javascript", "typescript")

PATH_TRAVERSAL = Rule(
    id="BSSEC119",
    title="Request input chooses a file path",
    skill="security",
    criterion="security.injection",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    cwe=22,
    taint=True,
    message="a path built from non-constant input is opened by `{name}`",
    rationale=(
        "A file name taken from the request and joined to a folder lets `../` climb out of "
        "it: the caller reads the server's configuration, keys and other users' files, or "
        "overwrites them (path traversal, CWE-22, OWASP A01:2021)."
    ),
    fix=(
        "Do not build paths from request input: look the file up by an id in the database, "
        "or keep only the base name (Path.GetFileName, filepath.Base, path.basename, "
        "Paths.get(name).getFileName()) and check that the resolved path stays under the "
        "folder (startsWith after normalising); serve files with a root "
        "(res.sendFile(name, { root }), http.FileServer(http.Dir(dir)))."
    ),
    patterns=(
        Pattern(
            languages=("java",),
            query="""(object_creation_expression type: (type_identifier) @name
              (#any-of? @name "File" "FileInputStream" "FileOutputStream" "FileReader" "FileWriter"
                 "RandomAccessFile")
              arguments: (argument_list (_) @arg)) @match""",
            when="dynamic",
            needles=("File",),
        ),
        Pattern(
            languages=("java",),
            query="""(method_invocation object: (_) @class
              (#match? @class "(^|\\\\.)(Paths|Path|Files)$")
              name: (identifier) @name
              (#any-of? @name "get" "of" "readAllBytes" "readString" "readAllLines" "lines"
                 "newInputStream" "newOutputStream" "newBufferedReader" "write" "writeString"
                 "delete" "deleteIfExists" "copy" "move")
              arguments: (argument_list (_) @arg)) @match""",
            when="dynamic",
            needles=("Paths.", "Path.of", "Files."),
        ),
        Pattern(
            languages=("csharp",),
            query="""(invocation_expression function: (member_access_expression
                expression: (_) @class (#match? @class "(^|\\\\.)(File|Directory)$")
                name: (identifier) @name
                (#any-of? @name "ReadAllText" "ReadAllBytes" "ReadAllLines" "ReadLines"
                   "OpenRead" "Open" "OpenText" "OpenWrite" "Create" "Delete" "WriteAllText"
                   "WriteAllBytes" "AppendAllText" "Copy" "Move" "ReadAllTextAsync"
                   "ReadAllBytesAsync" "WriteAllTextAsync" "WriteAllBytesAsync" "GetFiles"))
              arguments: (argument_list . (argument (_) @arg))) @match""",
            when="dynamic",
            needles=("File.", "Directory."),
        ),
        Pattern(
            languages=("csharp",),
            # a reader over a stream (new StreamReader(stream), file.OpenReadStream()) names no path
            query="""(object_creation_expression type: (_) @name
                 (#match? @name "^(System\\\\.IO\\\\.)?(FileStream|StreamReader|StreamWriter)$")
                 arguments: (argument_list . (argument (_) @arg
                   (#not-match? @arg "(?i)stream$|stream\\\\(\\\\)$|\\\\.body$|^new |^console\\\\.")))) @match""",
            when="dynamic",
            needles=("FileStream", "StreamReader", "StreamWriter"),
        ),
        Pattern(  # a controller's PhysicalFile(path, type) and File(path, type)
            languages=("csharp",),
            # File(bytes, type, downloadName) and File(stream, type) send content, not a path
            query="""(invocation_expression function: (identifier) @name
                 (#any-of? @name "PhysicalFile" "File")
                 arguments: (argument_list . (argument (_) @arg
                   (#not-match? @arg "(?i)(bytes|stream|content|contents|data|buffer|pdf|image|ms|array|result)$|\\\\(\\\\)$|^new "))
                   . (argument))) @match""",
            when="dynamic",
            needles=("PhysicalFile", "File("),
        ),
        Pattern(
            languages=("go",),
            query="""(call_expression function: (selector_expression operand: (identifier) @pkg
                (#any-of? @pkg "os" "ioutil")
                field: (field_identifier) @name
                (#any-of? @name "Open" "OpenFile" "ReadFile" "Create" "Remove" "RemoveAll" "WriteFile"))
              arguments: (argument_list . (_) @arg)) @match""",
            when="dynamic",
            needles=("os.", "ioutil."),
        ),
        Pattern(
            languages=("go",),
            query="""(call_expression function: (selector_expression operand: (identifier) @pkg
                  (#eq? @pkg "http") field: (field_identifier) @name (#eq? @name "ServeFile"))
                arguments: (argument_list (_) (_) (_) @arg)) @match""",
            when="dynamic",
            needles=("ServeFile",),
        ),
        Pattern(  # gin's c.File, echo's c.File and c.Attachment, fiber's c.SendFile and c.Download
            languages=("go",),
            query="""(call_expression function: (selector_expression operand: (identifier) @ctx
                  (#match? @ctx "^(c|ctx)$") field: (field_identifier) @name
                  (#any-of? @name "File" "FileAttachment" "Attachment" "SendFile" "Download"))
                arguments: (argument_list . (_) @arg)) @match""",
            when="dynamic",
            needles=(".File(", "Attachment(", ".SendFile(", ".Download("),
        ),
        Pattern(
            languages=JS,
            query="""(call_expression function: (member_expression object: (_) @module
                property: (property_identifier) @name
                (#any-of? @name "readFile" "readFileSync" "createReadStream" "writeFile"
                   "writeFileSync" "createWriteStream" "unlink" "unlinkSync" "appendFile"
                   "appendFileSync" "rm" "rmSync" "open" "openSync"))
              (#match? @module "^(fs|fsp|fse|fs\\\\.promises|promises|fsPromises|fileSystem|filesystem|nodeFs)$")
              arguments: (arguments . (_) @arg)) @match""",
            when="dynamic",
            needles=("fs.", "fsp.", "fse.", "promises.", "ileSystem.", "nodeFs."),
        ),
        Pattern(  # import { readFile } from 'fs/promises'; readFile(path)
            languages=JS,
            query="""(call_expression function: (identifier) @name
                (#any-of? @name "readFile" "readFileSync" "createReadStream" "writeFile"
                   "writeFileSync" "createWriteStream" "unlink" "unlinkSync" "appendFile"
                   "appendFileSync" "rm" "rmSync")
              arguments: (arguments . (_) @arg)) @match""",
            when="dynamic",
            needles=("File(", "FileSync(", "Stream(", "unlink", "rm("),
            file_text=r"(?:from\s+|require\(\s*)['\"](?:node:)?fs(?:/promises|-extra)?['\"]",
        ),
        Pattern(
            languages=JS,
            query="""(call_expression function: (member_expression object: (identifier) @res
                (#match? @res "^(res|response|reply|ctx)$")
                property: (property_identifier) @name (#any-of? @name "sendFile" "download" "sendfile"))
              arguments: (arguments . (_) @arg .)) @match""",
            when="dynamic",
            needles=("sendFile", "download", "sendfile"),
        ),
    ),
    examples=(
        Example(
            "java",
            """class Files {
  @GetMapping("/files")
  byte[] read(@RequestParam String name) throws Exception {
    File file = new File("/var/app/uploads/" + name);
    return java.nio.file.Files.readAllBytes(Paths.get("/var/app/uploads", name));
  }
}
""",
            lines=(4, 5),
        ),
        Example(
            "java",
            """class Files {
  static final String BASE = "/var/app/uploads";
  byte[] read(Repository repo, long id) throws Exception {
    File file = new File(BASE, "logo.png");
    return java.nio.file.Files.readAllBytes(Paths.get(BASE, "index.html"));
  }
}
""",
        ),
        Example(
            "csharp",
            """public class FilesController : ControllerBase {
  [HttpGet("files")]
  public IActionResult Read([FromQuery] string name) {
    var text = System.IO.File.ReadAllText(Path.Combine("/srv/files", name));
    return PhysicalFile("/srv/files/" + name, "application/octet-stream");
  }
}
""",
            lines=(4, 5),
        ),
        Example(
            "csharp",
            """public class FilesController : ControllerBase {
  [HttpGet("logo")]
  public IActionResult Logo() {
    var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "logo.txt"));
    return PhysicalFile("/srv/files/logo.png", "image/png");
  }
  [HttpGet("invoices/{id}")]
  public async Task<IActionResult> Invoice(long id) {
    var pdf = await _pdf.Render(await _orders.Get(id));
    using var reader = new StreamReader(Request.Body);
    var stream = await _storage.Open(id);
    using var copy = new StreamReader(stream);
    return File(pdf, "application/pdf", $"Invoice-{id}.pdf");
  }
}
""",
        ),
        Example(
            "go",
            """package files

import (
	"net/http"
	"os"
	"path/filepath"
)

func Download(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	data, _ := os.ReadFile(filepath.Join("/srv/files", name))
	w.Write(data)
	http.ServeFile(w, r, "/srv/files/"+name)
}
""",
            lines=(11, 13),
        ),
        Example(
            "go",
            """package files

import (
	"net/http"
	"os"
)

func Logo(w http.ResponseWriter, r *http.Request) {
	data, _ := os.ReadFile("/srv/files/logo.png")
	w.Write(data)
	http.ServeFile(w, r, "/srv/files/index.html")
}
""",
        ),
        Example(
            "javascript",
            """const fs = require('fs');
const path = require('path');

app.get('/files', (req, res) => {
  const data = fs.readFileSync(path.join(__dirname, 'uploads', req.query.name));
  res.sendFile(__dirname + '/uploads/' + req.params.file);
});
""",
            lines=(5, 6),
        ),
        Example(
            "typescript",
            """import { readFile, unlink } from 'fs/promises';
import * as fileSystem from 'fs';

export async function download(req: Request, res: Response) {
  res.send(await readFile(`uploads/${req.query.name}`));
  await unlink('uploads/' + req.body.name);
  res.send(fileSystem.readFileSync(req.params.file));
}
""",
            lines=(5, 6, 7),
        ),
        Example(
            "typescript",
            """import { readFile } from 'fs/promises';

export async function logo(req: Request, res: Response) {
  const name = req.query.name;
  res.send(await readFile('public/logo.png'));
  res.send(await readFile(LOGO_PATH));
}
""",
        ),
        Example(
            "javascript",
            """const fs = require('fs');

app.get('/files/:file', (req, res) => {
  const logo = fs.readFileSync(__dirname + '/public/logo.png');
  res.sendFile(req.params.file, { root: __dirname + '/uploads' });
});
""",
        ),
    ),
)

RULES = (PATH_TRAVERSAL,)
