//! `parse_decimal` on any text, in both number formats: never panics, and whatever it accepts it
//! accepts again when printed back in the same format (nothing is read in two ways).
#![no_main]

use libfuzzer_sys::fuzz_target;
use valuereport::load::{parse_decimal, NumberFormat};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for format in [NumberFormat::DecimalPoint, NumberFormat::DecimalComma] {
        let Some(number) = parse_decimal(text, format) else { continue };
        assert!(text.bytes().any(|b| b.is_ascii_digit()), "{text:?} parsed without a digit");
        let printed = number.to_string();
        let printed = match format {
            NumberFormat::DecimalPoint => printed,
            NumberFormat::DecimalComma => printed.replace('.', ","),
        };
        assert_eq!(parse_decimal(&printed, format), Some(number), "{text:?} → {printed:?}");
    }
});
