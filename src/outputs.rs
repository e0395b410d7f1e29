//! Where each report goes and how it is written.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use clap::{ArgMatches, ValueEnum};
use portcullis_checks::RULES;
use portcullis_diagnostics::RuleMeta;
use portcullis_engine::ScanResult;

use crate::args::{Color, Format, ScanArgs};

/// Where each format goes: `None` is standard output.
pub fn destinations(
    args: &ScanArgs,
    matches: Option<&ArgMatches>,
) -> Result<Vec<(Format, Option<PathBuf>)>, String> {
    let indices = |name: &str| -> Vec<usize> {
        matches
            .and_then(|m| m.indices_of(name))
            .map(Iterator::collect)
            .unwrap_or_default()
    };
    let mut formats: Vec<(usize, Format, Option<PathBuf>)> = indices("format")
        .into_iter()
        .zip(args.format.iter().copied())
        .map(|(index, format)| (index, format, None))
        .collect();
    for (index, output) in indices("output").into_iter().zip(&args.output) {
        if let Some((name, file)) = output.split_once('=') {
            let format = Format::from_str(name, true)
                .map_err(|_| format!("--output {output}: `{name}` is not a format"))?;
            formats.push((index, format, Some(PathBuf::from(file))));
            continue;
        }
        // A plain file belongs to the nearest --format before it that has no file yet, or else
        // to the first one after it (`-o report.json --format json`).
        let free = |(_, (_, _, file)): &(usize, &(usize, Format, Option<PathBuf>))| file.is_none();
        let before = formats
            .iter()
            .enumerate()
            .filter(free)
            .filter(|(_, (at, _, _))| *at < index)
            .max_by_key(|(_, (at, _, _))| *at);
        let after = formats
            .iter()
            .enumerate()
            .filter(free)
            .filter(|(_, (at, _, _))| *at > index)
            .min_by_key(|(_, (at, _, _))| *at);
        let target = before.or(after).map(|(position, _)| position);
        match target {
            Some(position) => formats[position].2 = Some(PathBuf::from(output)),
            None if args.format.is_empty() && formats.is_empty() => {
                formats.push((index, Format::Text, Some(PathBuf::from(output))));
            }
            None => {
                return Err(format!(
                    "--output {output} follows no --format; write FORMAT={output}"
                ));
            }
        }
    }
    if formats.is_empty() {
        formats.push((0, Format::Text, None));
    }
    let to_stdout = formats.iter().filter(|(_, _, file)| file.is_none()).count();
    if to_stdout > 1 {
        return Err(
            "only one format can go to standard output; give the others an --output".to_owned(),
        );
    }
    formats.sort_by_key(|(index, _, _)| *index);
    Ok(formats
        .into_iter()
        .map(|(_, format, file)| (format, file))
        .collect())
}

/// Writes each format to its destination.
pub fn write(
    result: &ScanResult,
    outputs: &[(Format, Option<PathBuf>)],
    args: &ScanArgs,
    stdout: &mut impl Write,
) -> Result<(), String> {
    let outcome = result.outcome();
    let rules: Vec<&'static RuleMeta> = RULES.iter().map(|rule| rule.meta).collect();
    let source_root = std::env::current_dir().ok().map(|dir| {
        let (uri, _) = portcullis_report::path_uri(&format!("{}/", dir.display()));
        uri
    });
    for (format, file) in outputs {
        let format = *format;
        let color = match args.color {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => {
                file.is_none()
                    && std::io::stdout().is_terminal()
                    && std::env::var_os("NO_COLOR").is_none()
            }
        };
        let (mut to_file, mut to_stdout);
        let out: &mut dyn Write = match &file {
            Some(path) => {
                let created = std::fs::File::create(path)
                    .map_err(|error| format!("{}: {error}", path.display()))?;
                to_file = std::io::BufWriter::new(created);
                &mut to_file
            }
            None => {
                to_stdout = std::io::BufWriter::new(&mut *stdout);
                &mut to_stdout
            }
        };
        let written = match format {
            // The two formats that grow largest are written as they are made.
            Format::Json => portcullis_report::write_json(&outcome, out),
            Format::Sarif => portcullis_report::write_sarif(
                &outcome,
                &portcullis_report::SarifOptions {
                    rules: &rules,
                    category: &args.sarif_category,
                    source_root: source_root.clone(),
                },
                out,
            ),
            Format::Text => out.write_all(
                portcullis_report::render_text(
                    &outcome,
                    portcullis_report::TextOptions {
                        color,
                        show_suppressed: args.show_suppressed,
                    },
                )
                .as_bytes(),
            ),
            Format::Github => out.write_all(portcullis_report::render_github(&outcome).as_bytes()),
            Format::Junit => out.write_all(portcullis_report::render_junit(&outcome).as_bytes()),
            Format::Markdown => {
                let options = portcullis_report::MarkdownOptions {
                    link_base: args.link_base.as_deref(),
                    max_chars: args.markdown_max_chars,
                };
                out.write_all(portcullis_report::render_markdown(&outcome, &options).as_bytes())
            }
            Format::Dot => out.write_all(portcullis_report::render_dot(&outcome).as_bytes()),
        };
        written
            .and_then(|()| out.flush())
            .map_err(|error| match &file {
                Some(path) => format!("{}: {error}", path.display()),
                None => error.to_string(),
            })?;
    }
    Ok(())
}
