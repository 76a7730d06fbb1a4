//! Signing in and out, registering, resetting a forgotten password and confirming an e-mail
//! address. Plain forms posting to server functions: they work without JavaScript and, with it
//! (each form is an island), keep what was typed and show errors in place.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::components::{ErrorNotice, Field, FormError, Notice, Seo, Submit, field_errors};
use crate::server_fns::identity::{Login, Register, RequestPasswordReset, ResetPassword, verify_email};

/// A query parameter of the page's URL (read on the server, which renders the page).
fn query_param(name: &str) -> Option<String> {
    use_query_map().with_untracked(|q| q.get(name))
}

/// A narrow card around an auth form.
#[component]
fn AuthCard(title: &'static str, children: Children) -> impl IntoView {
    view! {
        <Seo title=title description=format!("{title} — your account at the shop.")/>
        <section class="mx-auto w-full max-w-md rounded-lg border border-stone-200 bg-white p-6 shadow-sm">
            <h1 class="text-2xl font-bold tracking-tight">{title}</h1>
            <div class="mt-6 flex flex-col gap-4">{children()}</div>
        </section>
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let next = query_param("next").unwrap_or_default();
    let reset = query_param("reset").is_some();
    let register_href = if next.is_empty() {
        "/register".to_owned()
    } else {
        format!("/register?next={next}")
    };
    view! {
        <AuthCard title="Sign in">
            {reset.then(|| view! { <Notice text="Your password was changed. Sign in with the new one."/> })}
            <LoginForm next/>
            <p class="text-sm text-stone-700">
                <A href="/forgot-password" attr:class="underline">"Forgot your password?"</A>
            </p>
            <p class="text-sm text-stone-700">
                "New here? " <a href=register_href class="font-medium underline">"Create an account"</a>
            </p>
        </AuthCard>
    }
}

#[island]
fn LoginForm(next: String) -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let result = login.value();
    view! {
        <ActionForm action=login attr:class="flex flex-col gap-4" attr:novalidate=true>
            <FormError result/>
            <input type="hidden" name="next" value=next/>
            <Field name="email" label="E-mail" kind="email" autocomplete="email" required=true errors=field_errors(result, "email")/>
            <Field name="password" label="Password" kind="password" autocomplete="current-password" required=true errors=field_errors(result, "password")/>
            <Submit label="Sign in" busy="Signing in…" pending=login.pending()/>
        </ActionForm>
    }
}

#[component]
pub fn RegisterPage() -> impl IntoView {
    let next = query_param("next").unwrap_or_default();
    view! {
        <AuthCard title="Create an account">
            <RegisterForm next/>
            <p class="text-sm text-stone-700">
                "Already have an account? " <A href="/login" attr:class="font-medium underline">"Sign in"</A>
            </p>
        </AuthCard>
    }
}

#[island]
fn RegisterForm(next: String) -> impl IntoView {
    let register = ServerAction::<Register>::new();
    let result = register.value();
    view! {
        <ActionForm action=register attr:class="flex flex-col gap-4" attr:novalidate=true>
            <FormError result/>
            <input type="hidden" name="next" value=next/>
            <Field name="display_name" label="Name" autocomplete="name" required=true errors=field_errors(result, "display_name")/>
            <Field name="email" label="E-mail" kind="email" autocomplete="email" required=true errors=field_errors(result, "email")/>
            <Field name="password" label="Password" kind="password" autocomplete="new-password" required=true
                hint="At least 10 characters; not a common password and not your e-mail address."
                errors=field_errors(result, "password")/>
            <Submit label="Create account" busy="Creating…" pending=register.pending()/>
        </ActionForm>
    }
}

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let sent = query_param("sent").is_some();
    view! {
        <AuthCard title="Reset your password">
            <ForgotPasswordForm sent/>
            <p class="text-sm"><A href="/login" attr:class="underline">"Back to sign in"</A></p>
        </AuthCard>
    }
}

/// `sent`: the page came back from a post without JavaScript, the link is on its way.
#[island]
fn ForgotPasswordForm(sent: bool) -> impl IntoView {
    let request = ServerAction::<RequestPasswordReset>::new();
    let result = request.value();
    let sent = move || sent || matches!(result.get(), Some(Ok(())));
    view! {
        <Show when=sent>
            <Notice text="If an account uses that address, a link to choose a new password is on its way. It works for one hour."/>
        </Show>
        <p class="text-sm text-stone-700">"Enter the e-mail address of your account and we'll send you a link."</p>
        <ActionForm action=request attr:class="flex flex-col gap-4" attr:novalidate=true>
            <FormError result/>
            <Field name="email" label="E-mail" kind="email" autocomplete="email" required=true errors=field_errors(result, "email")/>
            <Submit label="Send link" busy="Sending…" pending=request.pending()/>
        </ActionForm>
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let token = query_param("token").unwrap_or_default();
    view! {
        <AuthCard title="Choose a new password">
            <ResetPasswordForm token/>
        </AuthCard>
    }
}

#[island]
fn ResetPasswordForm(token: String) -> impl IntoView {
    let reset = ServerAction::<ResetPassword>::new();
    let result = reset.value();
    view! {
        <ActionForm action=reset attr:class="flex flex-col gap-4" attr:novalidate=true>
            <FormError result/>
            <Show when=move || !field_errors(result, "token").get().is_empty()>
                <p role="alert" class="text-sm text-red-800">
                    "This link is invalid, already used or expired. "
                    <a href="/forgot-password" class="underline">"Ask for a new one."</a>
                </p>
            </Show>
            <input type="hidden" name="token" value=token/>
            <Field name="new_password" label="New password" kind="password" autocomplete="new-password" required=true
                hint="At least 10 characters; not a common password and not your e-mail address."
                errors=field_errors(result, "new_password")/>
            <Submit label="Set password" busy="Saving…" pending=reset.pending()/>
        </ActionForm>
    }
}

/// Opened from the link in the verification mail: confirms the address right away.
#[component]
pub fn VerifyEmailPage() -> impl IntoView {
    let token = query_param("token").unwrap_or_default();
    let outcome = Resource::new(move || token.clone(), verify_email);
    view! {
        <AuthCard title="Confirm your e-mail address">
            <Suspense fallback=|| view! { <p role="status">"Confirming…"</p> }>
                {move || Suspend::new(async move {
                    match outcome.await {
                        Ok(user) => view! {
                            <Notice text=format!("Thank you — {} is confirmed.", user.email)/>
                            <p><A href="/account" attr:class="font-medium underline">"Go to your account"</A></p>
                        }.into_any(),
                        Err(error) => view! {
                            <ErrorNotice error/>
                            <p class="text-sm">"Sign in and ask for a new link from your account page."</p>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </AuthCard>
    }
}
