//! Strict JSON: CloudFormation templates, Terraform's JSON syntax and plan files are all read with
//! the same parser settings, every leniency of jsonc-parser off.

/// jsonc-parser options for strict JSON: no comments, trailing commas, loose names or other
/// extensions.
pub fn strict() -> jsonc_parser::ParseOptions {
    jsonc_parser::ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    }
}
