//! String templates: interpolations, `%{if}` and `%{for}` directives, strip markers.

use hcl_edit::template::{Directive, Element, Template};
use portcullis_ir::Span;

use super::context::Ctx;
use super::frame::Frame;
use super::iteration::iterate;
use crate::limits::{Limit, MAX_STRING};
use crate::syntax::{Expr, Src};
use crate::value::V;

impl<'a> Ctx<'a> {
    pub(super) fn template(
        &self,
        template: &Template,
        src: Src<'_>,
        frame: &Frame,
        span: Span,
    ) -> V {
        // A template that is one interpolation yields the value itself, not its string.
        if let Some(Element::Interpolation(interp)) = template.as_single_element() {
            return self.eval(Expr::Hcl(&interp.expr, src), frame);
        }
        match self.template_text(template, src, frame) {
            Ok(text) if text.len() > MAX_STRING => self.env.limit(span, Limit::StringBytes),
            Ok(text) => V::str(text, span),
            Err(reason) => V::unknown(reason, span),
        }
    }

    pub(super) fn template_text(
        &self,
        template: &Template,
        src: Src<'_>,
        frame: &Frame,
    ) -> Result<String, String> {
        self.render(template, src, frame, false, false)
    }

    /// Renders a template; `trim_first` and `trim_last` apply the strip markers (`~`) of the
    /// directive around it to its first and last literal.
    pub(super) fn render(
        &self,
        template: &Template,
        src: Src<'_>,
        frame: &Frame,
        trim_first: bool,
        trim_last: bool,
    ) -> Result<String, String> {
        let mut out = String::new();
        let mut trim_next = trim_first;
        for element in template.iter() {
            if out.len() > MAX_STRING {
                break;
            }
            match element {
                Element::Literal(text) => {
                    let text = text.value();
                    out.push_str(if trim_next { text.trim_start() } else { text });
                    trim_next = false;
                }
                Element::Interpolation(interp) => {
                    trim_end_if(&mut out, interp.strip.strip_start());
                    out.push_str(&self.eval(Expr::Hcl(&interp.expr, src), frame).to_text()?);
                    trim_next = interp.strip.strip_end();
                }
                Element::Directive(boxed) => match &**boxed {
                    Directive::If(directive) => {
                        let head = &directive.if_expr;
                        trim_end_if(&mut out, head.strip.strip_start());
                        let before_endif = directive.endif_expr.strip.strip_start();
                        let test = self.eval(Expr::Hcl(&head.cond_expr, src), frame);
                        if test.to_bool()? {
                            let last = directive
                                .else_expr
                                .as_ref()
                                .map_or(before_endif, |otherwise| otherwise.strip.strip_start());
                            out.push_str(&self.render(
                                &head.template,
                                src,
                                frame,
                                head.strip.strip_end(),
                                last,
                            )?);
                        } else if let Some(otherwise) = &directive.else_expr {
                            let first = otherwise.strip.strip_end();
                            out.push_str(&self.render(
                                &otherwise.template,
                                src,
                                frame,
                                first,
                                before_endif,
                            )?);
                        }
                        trim_next = directive.endif_expr.strip.strip_end();
                    }
                    Directive::For(directive) => {
                        let head = &directive.for_expr;
                        trim_end_if(&mut out, head.strip.strip_start());
                        let collection = self.eval(Expr::Hcl(&head.collection_expr, src), frame);
                        let before_endfor = directive.endfor_expr.strip.strip_start();
                        for (key, value) in iterate(&collection)? {
                            let mut inner = frame.with(head.value_var.value().as_str(), value);
                            if let Some(key_var) = &head.key_var {
                                inner = inner.with(key_var.value().as_str(), key);
                            }
                            let first = head.strip.strip_end();
                            out.push_str(&self.render(
                                &head.template,
                                src,
                                &inner,
                                first,
                                before_endfor,
                            )?);
                            if out.len() > MAX_STRING {
                                break;
                            }
                        }
                        trim_next = directive.endfor_expr.strip.strip_end();
                    }
                },
            }
        }
        trim_end_if(&mut out, trim_last);
        Ok(out)
    }
}

fn trim_end_if(text: &mut String, strip: bool) {
    if strip {
        let len = text.trim_end().len();
        text.truncate(len);
    }
}
