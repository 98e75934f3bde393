//! The LINE Messaging API over HTTPS: the reply call and message content, with the channel
//! access token. Addresses come from configuration, so tests use a fake on loopback.

use async_trait::async_trait;
use khlang_core::error::PortError;
use khlang_core::line::{LineApi, LineContent};
use khlang_core::ports::PortResult;
use std::time::Duration;

pub struct LineHttp {
    client: reqwest::Client,
    token: String,
    api_url: String,
    data_url: String,
}

impl LineHttp {
    pub fn new(token: &str, api_url: &str, data_url: &str) -> Self {
        Self {
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap_or_default(),
            token: token.to_string(),
            api_url: api_url.trim_end_matches('/').to_string(),
            data_url: data_url.trim_end_matches('/').to_string(),
        }
    }
}

fn unavailable(what: &str, e: impl std::fmt::Display) -> PortError {
    PortError::Other(format!("LINE {what}: {e}"))
}

#[async_trait]
impl LineApi for LineHttp {
    async fn reply(&self, reply_token: &str, text: &str) -> PortResult<()> {
        // LINE refuses texts over 5,000 characters.
        let text: String = text.chars().take(5000).collect();
        let res = self
            .client
            .post(format!("{}/v2/bot/message/reply", self.api_url))
            .bearer_auth(&self.token)
            .json(&serde_json::json!({
                "replyToken": reply_token,
                "messages": [{"type": "text", "text": text}],
            }))
            .send()
            .await
            .map_err(|e| unavailable("reply", e))?;
        if !res.status().is_success() {
            return Err(unavailable("reply", res.status()));
        }
        Ok(())
    }

    async fn content(&self, message_id: &str, limit: u64) -> PortResult<LineContent> {
        if !message_id.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(unavailable("content", "bad message id"));
        }
        let mut res = self
            .client
            .get(format!(
                "{}/v2/bot/message/{message_id}/content",
                self.data_url
            ))
            .bearer_auth(&self.token)
            .send()
            .await
            .map_err(|e| unavailable("content", e))?;
        if !res.status().is_success() {
            return Err(unavailable("content", res.status()));
        }
        let content_type = res
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("application/octet-stream")
            .to_string();
        let mut bytes = Vec::new();
        while let Some(chunk) = res.chunk().await.map_err(|e| unavailable("content", e))? {
            bytes.extend_from_slice(&chunk);
            // One byte past the limit is enough for core to refuse it.
            if bytes.len() as u64 > limit {
                break;
            }
        }
        Ok(LineContent {
            bytes: bytes.into(),
            content_type,
        })
    }
}
