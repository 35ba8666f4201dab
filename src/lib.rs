//! AMI Desk: a dashboard where platform and application teams request, approve and
//! register Amazon Machine Images without handing AWS credentials to people.
//!
//! The crate compiles twice: with `ssr` into the server binary (axum, SQLite, the AWS
//! SDK) and with `hydrate` into the browser bundle. The `domain` module holds every rule
//! and is shared by both.
#![recursion_limit = "256"]

pub mod admin;
pub mod api;
pub mod app;
pub mod audit;
pub mod auth;
pub mod domain;
pub mod ec2;
pub mod error;
pub mod pages;
pub mod requests;
pub mod templates;
pub mod tokens;
pub mod ui;
pub mod workflow;

#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod server;
#[cfg(feature = "ssr")]
pub mod settings;
#[cfg(feature = "ssr")]
pub mod state;
#[cfg(feature = "ssr")]
pub mod ttl_cache;

/// Browser entry point: attaches the reactive app to the server-rendered page. Hydration
/// waits for the code of a lazily loaded page (see `pages`) before it takes the page over;
/// `data-hydrated` on `<body>` then says the page is interactive (the tests wait for it).
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    wasm_bindgen_futures::spawn_local(async {
        let Some(body) = leptos::prelude::document().body() else {
            return;
        };
        let app = leptos::mount::hydrate_from_async(body.clone(), app::App).await;
        app.forget();
        let _ = body.set_attribute("data-hydrated", "true");
    });
}
