//! The header's user switcher: the app acts as the chosen user, and what that
//! user's profile may not do is not offered (the domain refuses it anyway).

use leptos::prelude::*;

use crate::app_context::use_app;

#[component]
pub fn UserSwitcher() -> impl IntoView {
    let app = use_app();
    let on_change = move |ev: leptos::ev::Event| {
        let id = event_target_value(&ev);
        if let Some(user) = app.user_named(&id) {
            app.switch_user(user);
        }
    };
    view! {
        <div class="user-switcher">
            <label for="current-user">"Acting as"</label>
            <select id="current-user" on:change=on_change>
                {move || {
                    let current = app.user.get().id;
                    app.users
                        .get()
                        .into_iter()
                        .filter(|u| u.active)
                        .map(|u| {
                            let selected = u.id == current;
                            let label = format!("{} ({})", u.name, u.profile.label());
                            view! {
                                <option value=u.id.to18().to_string() selected=selected>{label}</option>
                            }
                        })
                        .collect_view()
                }}
            </select>
        </div>
    }
}
