//! The library's two handles on access tokens, `PersonalAccessTokens` and `OrgAccessTokens`,
//! have the same methods, and their tokens the same accessors, but no trait in common:
//! [`Handle`] and [`Listed`] are that trait here, implemented by forwarding.

use std::time::SystemTime;

use dockerhub_auth::{
    CreatedToken, NewOrgAccessToken, NewPersonalAccessToken, OrgAccessToken, OrgAccessTokens,
    PersonalAccessToken, PersonalAccessTokens, Result, Rotation, TokenUpdate,
};
use futures_util::Stream;

/// One owner's access tokens, as the library manages them.
pub(crate) trait Handle {
    /// One token, without its secret.
    type Token: Listed;
    /// A token to create.
    type New;

    /// Returns `new` with an expiry.
    fn expires_at(new: Self::New, at: SystemTime) -> Self::New;
    /// Refuses what `create` would refuse before any request.
    fn validate(new: &Self::New) -> Result<()>;
    /// Returns every token, page after page.
    fn list(&self) -> impl Stream<Item = Result<Self::Token>>;
    /// Returns one token.
    async fn get(&self, id: &str) -> Result<Self::Token>;
    /// Creates a token, and returns it with its secret.
    async fn create(&self, new: Self::New) -> Result<CreatedToken<Self::Token>>;
    /// Changes a token (here: activates or deactivates it).
    async fn update(&self, id: &str, update: TokenUpdate) -> Result<Self::Token>;
    /// Deletes a token for good.
    async fn delete(&self, id: &str) -> Result<()>;
    /// Replaces a token with a new one that works, and deactivates the old one.
    async fn rotate(&self, id: &str) -> Result<Rotation<Self::Token>>;
}

/// What every access token has.
pub(crate) trait Listed {
    fn id(&self) -> &str;
    fn label(&self) -> &str;
    fn is_active(&self) -> bool;
    fn created_at(&self) -> Option<SystemTime>;
    fn last_used_at(&self) -> Option<SystemTime>;
    fn expires_at(&self) -> Option<SystemTime>;
}

/// Implements [`Handle`] for a library handle and [`Listed`] for its tokens, by calling
/// their methods of the same names.
macro_rules! forward {
    ($handle:ident, $token:ident, $new:ident) => {
        impl Handle for $handle {
            type Token = $token;
            type New = $new;

            fn expires_at(new: $new, at: SystemTime) -> $new {
                new.expires_at(at)
            }
            fn validate(new: &$new) -> Result<()> {
                new.validate()
            }
            fn list(&self) -> impl Stream<Item = Result<$token>> {
                $handle::list(self)
            }
            async fn get(&self, id: &str) -> Result<$token> {
                $handle::get(self, id).await
            }
            async fn create(&self, new: $new) -> Result<CreatedToken<$token>> {
                $handle::create(self, new).await
            }
            async fn update(&self, id: &str, update: TokenUpdate) -> Result<$token> {
                $handle::update(self, id, update).await
            }
            async fn delete(&self, id: &str) -> Result<()> {
                $handle::delete(self, id).await
            }
            async fn rotate(&self, id: &str) -> Result<Rotation<$token>> {
                $handle::rotate(self, id).await
            }
        }

        impl Listed for $token {
            fn id(&self) -> &str {
                $token::id(self)
            }
            fn label(&self) -> &str {
                $token::label(self)
            }
            fn is_active(&self) -> bool {
                $token::is_active(self)
            }
            fn created_at(&self) -> Option<SystemTime> {
                $token::created_at(self)
            }
            fn last_used_at(&self) -> Option<SystemTime> {
                $token::last_used_at(self)
            }
            fn expires_at(&self) -> Option<SystemTime> {
                $token::expires_at(self)
            }
        }
    };
}

forward!(
    PersonalAccessTokens,
    PersonalAccessToken,
    NewPersonalAccessToken
);
forward!(OrgAccessTokens, OrgAccessToken, NewOrgAccessToken);
