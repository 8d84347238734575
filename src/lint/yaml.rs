//! YAML (CloudFormation templates) read into the same spanned JSON tree as JSON files, with the short
//! intrinsic-function tags (`!Ref`, `!GetAtt`, `!Sub`, …) turned into their long forms.

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use crate::policy::json::{JsonError, Kind, Member, Pos, Value};

/// Reads one YAML document.
pub fn parse(text: &str) -> Result<Value, JsonError> {
    let mut builder = Builder { stack: Vec::new(), root: None, error: None };
    let mut parser = Parser::new_from_str(text);
    parser.load(&mut builder, false).map_err(|e| JsonError {
        pos: Pos { line: e.marker().line() as u32, column: e.marker().col() as u32 + 1 },
        message: format!("invalid YAML: {}", e.info()),
    })?;
    if let Some(e) = builder.error {
        return Err(e);
    }
    builder.root.ok_or(JsonError { pos: Pos { line: 1, column: 1 }, message: "the YAML file is empty".into() })
}

enum Frame {
    Seq { pos: Pos, tag: Option<Tag>, items: Vec<Value> },
    Map { pos: Pos, tag: Option<Tag>, members: Vec<Member>, key: Option<(String, Pos)> },
}

struct Builder {
    stack: Vec<Frame>,
    root: Option<Value>,
    error: Option<JsonError>,
}

fn pos_of(mark: Marker) -> Pos {
    Pos { line: mark.line() as u32, column: mark.col() as u32 + 1 }
}

/// CloudFormation's short form `!Name` stands for `{"Fn::Name": …}` (`!Ref`, `!Condition` keep their name).
fn intrinsic(tag: &Option<Tag>, value: Value, pos: Pos) -> Value {
    let Some(tag) = tag.as_ref().filter(|t| t.handle == "!") else { return value };
    let name = match tag.suffix.as_str() {
        "Ref" | "Condition" => tag.suffix.clone(),
        other => format!("Fn::{other}"),
    };
    // `!GetAtt Resource.Attribute` is the short form of `["Resource", "Attribute"]`.
    let value = match (&*name, &value.kind) {
        ("Fn::GetAtt", Kind::String(s)) => match s.split_once('.') {
            Some((r, a)) => Value {
                pos: value.pos,
                kind: Kind::Array(vec![
                    Value { pos: value.pos, kind: Kind::String(r.into()) },
                    Value { pos: value.pos, kind: Kind::String(a.into()) },
                ]),
            },
            None => value,
        },
        _ => value,
    };
    Value { pos, kind: Kind::Object(vec![Member { key: name, key_pos: pos, value }]) }
}

fn scalar(text: String, style: TScalarStyle) -> Kind {
    if style != TScalarStyle::Plain {
        return Kind::String(text);
    }
    match text.as_str() {
        "true" | "True" | "TRUE" => Kind::Bool(true),
        "false" | "False" | "FALSE" => Kind::Bool(false),
        "null" | "Null" | "NULL" | "~" | "" => Kind::Null,
        t if t.parse::<f64>().is_ok()
            && !t.starts_with('+')
            && !t.ends_with('.')
            && !t.contains(['_', 'x', 'o', 'e', 'E', 'i', 'n']) =>
        {
            Kind::Number(text)
        }
        _ => Kind::String(text),
    }
}

impl Builder {
    fn push_value(&mut self, value: Value) {
        match self.stack.last_mut() {
            None => self.root = Some(value),
            Some(Frame::Seq { items, .. }) => items.push(value),
            Some(Frame::Map { members, key, .. }) => match key.take() {
                None => match value.kind {
                    Kind::String(k) => *key = Some((k, value.pos)),
                    Kind::Number(k) => *key = Some((k, value.pos)),
                    Kind::Bool(b) => *key = Some((b.to_string(), value.pos)),
                    _ => {
                        self.error.get_or_insert(JsonError {
                            pos: value.pos,
                            message: "a mapping key must be a scalar".into(),
                        });
                    }
                },
                Some((k, key_pos)) => {
                    if members.iter().any(|m| m.key == k) {
                        self.error.get_or_insert(JsonError { pos: key_pos, message: format!("duplicate key \"{k}\"") });
                    }
                    members.push(Member { key: k, key_pos, value });
                }
            },
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        let pos = pos_of(mark);
        match ev {
            Event::Scalar(text, style, _, tag) => {
                let value = Value { pos, kind: scalar(text, style) };
                let value = intrinsic(&tag, value, pos);
                self.push_value(value);
            }
            Event::SequenceStart(_, tag) => self.stack.push(Frame::Seq { pos, tag, items: Vec::new() }),
            Event::MappingStart(_, tag) => self.stack.push(Frame::Map { pos, tag, members: Vec::new(), key: None }),
            Event::SequenceEnd | Event::MappingEnd => {
                let value = match self.stack.pop() {
                    Some(Frame::Seq { pos, tag, items }) => {
                        intrinsic(&tag, Value { pos, kind: Kind::Array(items) }, pos)
                    }
                    Some(Frame::Map { pos, tag, members, .. }) => {
                        intrinsic(&tag, Value { pos, kind: Kind::Object(members) }, pos)
                    }
                    None => return,
                };
                self.push_value(value);
            }
            Event::Alias(_) => {
                self.error
                    .get_or_insert(JsonError { pos, message: "YAML aliases are not supported in templates".into() });
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_forms_become_long_forms_with_positions() {
        let v = parse("Resources:\n  Role:\n    Type: AWS::IAM::Role\n    Arn: !GetAtt Role.Arn\n    Name: !Sub '${AWS::StackName}-x'\n    List: !Join ['', [a, !Ref B]]\n").unwrap();
        let role = &v.get("Resources").unwrap().value.get("Role").unwrap().value;
        let arn = &role.get("Arn").unwrap().value;
        assert_eq!(arn.pos.line, 4);
        let getatt = &arn.get("Fn::GetAtt").unwrap().value;
        let Kind::Array(parts) = &getatt.kind else { panic!("{getatt:?}") };
        assert_eq!(parts[1].as_str(), Some("Arn"));
        assert!(role.get("Name").unwrap().value.get("Fn::Sub").is_some());
        assert!(role.get("List").unwrap().value.get("Fn::Join").is_some());
        assert_eq!(role.get("Type").unwrap().key_pos, Pos { line: 3, column: 5 });
    }

    #[test]
    fn scalars_are_typed_like_yaml() {
        let v = parse("a: 2012-10-17\nb: true\nc: '5'\nd: 5\n").unwrap();
        assert_eq!(v.get("a").unwrap().value.kind, Kind::String("2012-10-17".into()));
        assert_eq!(v.get("b").unwrap().value.kind, Kind::Bool(true));
        assert_eq!(v.get("c").unwrap().value.kind, Kind::String("5".into()));
        assert_eq!(v.get("d").unwrap().value.kind, Kind::Number("5".into()));
    }

    #[test]
    fn errors_have_positions() {
        let e = parse("a:\n  - b\n c: d\n").unwrap_err();
        assert!(e.message.starts_with("invalid YAML"), "{e}");
        assert!(e.pos.line >= 2, "{e}");
    }
}
