//! Rendering JSON element and path access per dialect ([`JsonAccessStyle`]).

use super::expr::P_ATOM;
use super::{Compiler, Res};
use crate::dialect::JsonAccessStyle;
use crate::expr::{JsonAs, JsonGet};

impl Compiler<'_> {
    /// A JSON element or path, per [`JsonAccessStyle`].
    pub(super) fn json_get(&mut self, get: &JsonGet) -> Res {
        let style = self.d.json_access_style();
        if style == JsonAccessStyle::Arrows {
            let (json, text) = if get.is_path {
                (" #> ", " #>> ")
            } else {
                (" -> ", " ->> ")
            };
            let cast = !matches!(get.as_, JsonAs::Json | JsonAs::Text);
            if cast {
                self.w("CAST(");
            }
            self.operand(&get.doc, P_ATOM)?;
            self.w(if get.as_ == JsonAs::Json { json } else { text });
            self.bind(&get.pg_operand, None, false)?;
            if cast {
                self.w(" AS ");
                self.w(&self.d.cast_type_sql(&get.as_.sql_type())?);
                self.w(")");
            }
            return Ok(());
        }
        let extract = |c: &mut Self| -> Res {
            c.w("JSON_EXTRACT(");
            c.expr(&get.doc)?;
            c.w(", ");
            c.bind(&get.json_path, None, false)?;
            c.w(")");
            Ok(())
        };
        match (style, get.as_) {
            (JsonAccessStyle::ExtractQuoteJson, JsonAs::Json) => {
                self.w("JSON_QUOTE(");
                extract(self)?;
                self.w(")");
            }
            (JsonAccessStyle::ExtractQuoteJson, JsonAs::Text)
            | (JsonAccessStyle::ExtractUnquoteText, JsonAs::Json) => extract(self)?,
            (JsonAccessStyle::ExtractQuoteJson, as_) => {
                self.w("CAST(");
                extract(self)?;
                self.w(" AS ");
                self.w(&self.d.cast_type_sql(&as_.sql_type())?);
                self.w(")");
            }
            // As SQLAlchemy's MySQL dialect: a JSON null is SQL NULL, not the text 'null'.
            (_, as_) => {
                self.w("CASE ");
                extract(self)?;
                self.w(" WHEN 'null' THEN NULL ");
                match as_ {
                    JsonAs::Boolean => self.w("WHEN true THEN true ELSE false"),
                    JsonAs::Text => {
                        self.w("ELSE JSON_UNQUOTE(");
                        extract(self)?;
                        self.w(")");
                    }
                    _ => {
                        self.w("ELSE CAST(");
                        extract(self)?;
                        self.w(" AS ");
                        self.w(&self.d.cast_type_sql(&as_.sql_type())?);
                        self.w(")");
                    }
                }
                self.w(" END");
            }
        }
        Ok(())
    }
}
