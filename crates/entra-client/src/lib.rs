//! The only code that talks to Microsoft: sign-in and a typed Microsoft Graph client.
