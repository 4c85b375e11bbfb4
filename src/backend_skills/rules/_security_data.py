"""Deserialisation of untrusted data and XML parsers resolving external entities."""

from __future__ import annotations

from backend_skills.core.models import Confidence, Severity

from ._model import Example, Pattern, Rule

JS = ("javascript", "typescript")

DESERIALIZATION = Rule(
    id="BSSEC107",
    title="Insecure deserialisation",
    skill="security",
    criterion="security.deserialization",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    cwe=502,
    taint=True,
    message="insecure deserialisation (`{name}`)",
    rationale=(
        "Deserialisers that rebuild arbitrary types (Java ObjectInputStream, XMLDecoder, "
        "SnakeYAML's default constructor, Jackson default typing; .NET BinaryFormatter and "
        "friends, Json.NET TypeNameHandling; node-serialize, js-yaml's unsafe loaders) run "
        "code chosen by whoever wrote the bytes (CWE-502)."
    ),
    fix="Exchange plain data (JSON into fixed types); for Java use an ObjectInputFilter allow-list or drop native serialisation, new Yaml(new SafeConstructor(...)); in .NET use System.Text.Json; in node use JSON.parse and js-yaml's default (safe) load.",
    patterns=(
        Pattern(
            languages=("java",),
            query="""(object_creation_expression type: (type_identifier) @name (#any-of? @name "ObjectInputStream" "XMLDecoder")) @match
              (method_invocation name: (identifier) @name (#any-of? @name "enableDefaultTyping" "activateDefaultTyping")) @match""",
            needles=("ObjectInputStream", "XMLDecoder", "DefaultTyping"),
        ),
        Pattern(
            languages=("java",),
            query="""(object_creation_expression type: (type_identifier) @name (#eq? @name "Yaml")
              arguments: (argument_list) @args (#eq? @args "()")) @match""",
            file_text=r"org\.yaml\.snakeyaml",
            needles=("Yaml",),
        ),
        Pattern(
            languages=("csharp",),
            query="""(object_creation_expression type: (identifier) @name
               (#any-of? @name "BinaryFormatter" "NetDataContractSerializer" "SoapFormatter" "LosFormatter" "ObjectStateFormatter")) @match
              (member_access_expression expression: (identifier) @t (#eq? @t "TypeNameHandling")
                 name: (identifier) @name (#any-of? @name "All" "Auto" "Objects" "Arrays")) @match""",
            needles=("Formatter", "NetDataContractSerializer", "TypeNameHandling"),
        ),
        Pattern(
            languages=("csharp",),
            query="""(object_creation_expression type: (_) @name
               (#match? @name "(XmlSerializer|DataContractSerializer|DataContractJsonSerializer)$")
               arguments: (argument_list . (argument (invocation_expression) @arg))) @match""",
            text=r"\(\s*(?:System\.)?Type\.GetType\s*\(",
            needles=("Serializer",),
        ),
        Pattern(
            languages=JS,
            query="""(call_expression function: (member_expression property: (property_identifier) @name
              (#any-of? @name "unserialize" "unsafeLoad"))) @match""",
            needles=("unserialize", "unsafeLoad"),
        ),
        Pattern(
            languages=JS,
            query="""(call_expression function: (member_expression property: (property_identifier) @name
              (#eq? @name "load")) arguments: (arguments (_) (object) @options)) @match""",
            text=r"DEFAULT_FULL_SCHEMA|FULL_SCHEMA",
            needles=("FULL_SCHEMA",),
        ),
    ),
    examples=(
        Example(
            "java",
            """class D {
  Object read(InputStream in) throws Exception {
    return new ObjectInputStream(in).readObject();
  }
}
""",
            lines=(3,),
        ),
        Example(
            "java",
            """class D {
  User read(InputStream in) throws Exception {
    return mapper.readValue(in, User.class);
  }
}
""",
        ),
        Example(
            "csharp",
            """class D {
  object Read(Stream s) { var f = new BinaryFormatter(); return f.Deserialize(s); }
}
""",
            lines=(2,),
        ),
        Example(
            "csharp",
            """class D {
  object Read(XmlElement item) {
    var xser = new XmlSerializer(Type.GetType(item.GetAttribute("Type")));
    return xser.Deserialize(new XmlTextReader(new StringReader(item.InnerXml)));
  }
}
""",
            lines=(3,),
        ),
        Example(
            "csharp",
            """class D {
  User Read(Stream s) { return JsonSerializer.Deserialize<User>(s); }
  Product[] Import(Stream s) { return (Product[]) new XmlSerializer(typeof(Product[])).Deserialize(s); }
}
""",
        ),
        Example(
            "javascript",
            """const serialize = require('node-serialize');
app.post('/profile', (req, res) => {
  const profile = serialize.unserialize(req.cookies.profile);
  res.json(profile);
});
""",
            lines=(3,),
        ),
        Example(
            "javascript",
            """app.post('/profile', (req, res) => {
  const profile = JSON.parse(req.cookies.profile);
  const config = yaml.load(text);
  res.json(profile);
});
""",
        ),
    ),
)

XXE = Rule(
    id="BSSEC108",
    title="XML parser open to external entities (XXE)",
    skill="security",
    criterion="security.deserialization",
    severity=Severity.MEDIUM,
    confidence=Confidence.MEDIUM,
    cwe=611,
    message="XML parser `{name}` without external entities and DTDs disabled in this file",
    rationale=(
        "An XML parser that resolves external entities reads local files and reaches "
        "internal URLs named by the document (XXE, CWE-611); DTD processing also allows "
        "billion-laughs denial of service."
    ),
    fix='Disable DTDs on the factory (setFeature("http://apache.org/xml/features/disallow-doctype-decl", true), XMLInputFactory.SUPPORT_DTD false); in .NET keep DtdProcessing.Prohibit and XmlResolver null; in libxmljs leave noent off.',
    patterns=(
        Pattern(
            languages=("java",),
            query="""(method_invocation object: (identifier) @name
              (#any-of? @name "DocumentBuilderFactory" "SAXParserFactory" "XMLInputFactory" "TransformerFactory" "SchemaFactory" "XMLReaderFactory")
              name: (identifier) @m (#any-of? @m "newInstance" "newFactory" "newDefaultFactory" "createXMLReader")) @match""",
            unless_file=r"disallow-doctype-decl|FEATURE_SECURE_PROCESSING|ACCESS_EXTERNAL_DTD|SUPPORT_DTD|IS_SUPPORTING_EXTERNAL_ENTITIES|external-general-entities",
            needles=("Factory",),
        ),
        Pattern(
            languages=("csharp",),
            query="""(assignment_expression left: (_) @name (#match? @name "(DtdProcessing|XmlResolver|ProhibitDtd)$") right: (_) @v) @match""",
            text=r"DtdProcessing\s*=\s*DtdProcessing\.Parse|XmlResolver\s*=\s*new\s+XmlUrlResolver|ProhibitDtd\s*=\s*false",
            needles=("DtdProcessing", "XmlResolver", "ProhibitDtd"),
        ),
        Pattern(
            languages=JS,
            query="""(pair key: (property_identifier) @name (#eq? @name "noent") value: (true)) @match""",
            needles=("noent",),
        ),
    ),
    examples=(
        Example(
            "java",
            """class X {
  Document parse(InputStream in) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    return f.newDocumentBuilder().parse(in);
  }
}
""",
            lines=(3,),
        ),
        Example(
            "java",
            """class X {
  Document parse(InputStream in) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    return f.newDocumentBuilder().parse(in);
  }
}
""",
        ),
        Example(
            "csharp",
            """class X {
  void P() { var s = new XmlReaderSettings(); s.DtdProcessing = DtdProcessing.Parse; }
}
""",
            lines=(2,),
        ),
        Example(
            "csharp",
            """class X {
  void P() { var s = new XmlReaderSettings(); s.DtdProcessing = DtdProcessing.Prohibit; }
}
""",
        ),
        Example(
            "javascript",
            """const doc = libxmljs.parseXml(req.body, { noent: true });
""",
            lines=(1,),
        ),
        Example(
            "javascript",
            """const doc = libxmljs.parseXml(req.body, { noent: false });
""",
        ),
    ),
)
