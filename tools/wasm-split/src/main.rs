//! `amidesk-wasm-split INPUT.wasm PKG_DIR MAIN_OUT.wasm`
//!
//! Splits the bundle `cargo build` produced (linked with `--emit-relocs`) at the lazy routes:
//! writes the chunks and the loader script into PKG_DIR, the main module (still to go through
//! wasm-bindgen) to MAIN_OUT, and `__wasm_split_manifest.json` — for every lazy route, the
//! chunks it needs — which the server reads to add preload links for the page it renders.

use std::{collections::BTreeMap, path::Path, process::ExitCode};

/// The loader's file name. Leptos' `HydrationScripts` preloads exactly this name when file
/// hashing is off (the underscores hold the place of a hash).
const LINK_NAME: &str = "./__wasm_split.______________________.js";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, pkg_dir, main_out] = args.as_slice() else {
        eprintln!("usage: amidesk-wasm-split INPUT.wasm PKG_DIR MAIN_OUT.wasm");
        return ExitCode::from(2);
    };
    match split(Path::new(input), Path::new(pkg_dir), Path::new(main_out)) {
        Ok(chunks) => {
            println!("wasm-split: {chunks} chunk(s) written to {pkg_dir}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("wasm-split: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn split(
    input: &Path,
    pkg_dir: &Path,
    main_out: &Path,
) -> Result<usize, Box<dyn std::error::Error>> {
    let wasm = std::fs::read(input)?;
    let mut options = wasm_split_cli_support::Options::new(&wasm);
    options.output_dir = pkg_dir;
    options.main_out_path = main_out;
    options.link_name = LINK_NAME;
    options.main_module = "./amidesk.js";
    options.target.web();
    let result = wasm_split_cli_support::transform(options).map_err(|e| format!("{e:#}"))?;
    // `{"route_view_name": ["chunk_1", …, "split_route_view_name"], …}`, keys sorted.
    let manifest: BTreeMap<_, _> = result.prefetch_map.into_iter().collect();
    std::fs::write(
        pkg_dir.join("__wasm_split_manifest.json"),
        serde_json::to_string(&manifest)?,
    )?;
    Ok(result.split_modules.len())
}
