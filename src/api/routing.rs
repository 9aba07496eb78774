//! Answers requests no route took: 405 with `Allow` when the path exists with other methods,
//! 404 otherwise. The known paths come from the OpenAPI document, i.e. from the router itself.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpMessage, HttpRequest, web};

use crate::api::middleware::HeadRequest;

use crate::error::{ApiError, codes};
use crate::locale::Text;

/// Path templates and their methods.
pub struct RouteTable {
    routes: Vec<(Vec<String>, Vec<&'static str>)>,
}

impl RouteTable {
    pub fn from_doc(doc: &utoipa::openapi::OpenApi) -> Self {
        let mut routes = Vec::new();
        for (path, item) in &doc.paths.paths {
            let mut methods = Vec::new();
            for (name, present) in [
                ("GET", item.get.is_some()),
                // HEAD is served wherever GET is (see `middleware::observe`).
                ("HEAD", item.get.is_some()),
                ("PUT", item.put.is_some()),
                ("POST", item.post.is_some()),
                ("DELETE", item.delete.is_some()),
                ("PATCH", item.patch.is_some()),
            ] {
                if present {
                    methods.push(name);
                }
            }
            let segments = path
                .trim_matches('/')
                .split('/')
                .map(str::to_owned)
                .collect();
            routes.push((segments, methods));
        }
        // Swagger UI and the document are served outside the documented routes.
        routes.push((vec!["openapi.json".into()], vec!["GET", "HEAD"]));
        Self { routes }
    }

    /// The methods allowed on a concrete path, if the path is known.
    pub fn allowed(&self, path: &str) -> Option<Vec<&'static str>> {
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        let mut found: Option<Vec<&'static str>> = None;
        for (template, methods) in &self.routes {
            let fits = template.len() == segments.len()
                && template
                    .iter()
                    .zip(&segments)
                    .all(|(t, s)| (t.starts_with('{') && !s.is_empty()) || t == s);
            if fits {
                found.get_or_insert_with(Vec::new).extend(methods);
            }
        }
        found
    }
}

/// The default service.
pub async fn unmatched(
    req: HttpRequest,
    table: web::Data<RouteTable>,
) -> Result<actix_web::HttpResponse, ApiError> {
    let path = req.path();
    // A HEAD request reaches the router as GET: name the method the client sent.
    let method = if req.extensions().get::<HeadRequest>().is_some() {
        "HEAD"
    } else {
        req.method().as_str()
    };
    Err(match table.allowed(path) {
        Some(methods) if !methods.contains(&method) => {
            let allow = methods.join(", ");
            ApiError::new(
                codes::METHOD_NOT_ALLOWED,
                Text::new(
                    format!("{method} is not allowed on {path}; allowed: {allow}"),
                    format!("{path} 不支持 {method} 方法；允许：{allow}"),
                ),
            )
            .with_header(
                header::ALLOW,
                HeaderValue::from_str(&allow).unwrap_or(HeaderValue::from_static("GET")),
            )
        }
        _ => ApiError::new(
            codes::NOT_FOUND,
            Text::new(
                format!("Nothing is served at {path}"),
                format!("{path} 处没有任何资源"),
            ),
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowed_methods() {
        let table = RouteTable::from_doc(&crate::api::openapi());
        assert_eq!(
            table.allowed("/api/v1/regions"),
            Some(vec!["GET", "HEAD", "POST"])
        );
        let mut one = table.allowed("/api/v1/regions/430424").unwrap();
        one.sort();
        assert_eq!(one, vec!["DELETE", "GET", "HEAD", "PUT"]);
        assert_eq!(table.allowed("/nope"), None);
        assert_eq!(table.allowed("/api/v1/regions/430424/x"), None);
    }
}
