// English mail texts. `{name}` is a parameter: plain in the subject and text, HTML-escaped in the HTML part.
// A new mail is one more entry here (and in each other language); code refers to it by its id only.
import type { MailCatalogue } from './types.ts';

export const en: MailCatalogue = {
  'account.verify_email': {
    subject: 'Confirm your e-mail address',
    text:
      'Welcome!\n\nYour confirmation code is {code}\n\nOr open this link to confirm your e-mail address:\n{link}\n\n' +
      'The code and the link work for {expiresSeconds} and only once.\n\n' +
      'Our mails can land in the spam folder: if one you expect does not arrive, look there and mark it as not spam.\n' +
      'If you did not sign up, you can ignore this mail.\n',
    html:
      '<p>Welcome!</p><p>Your confirmation code is <strong style="font-size:1.4em;letter-spacing:.1em">{code}</strong></p>' +
      '<p><a href="{link}">Confirm your e-mail address</a></p>' +
      '<p>The code and the link work for {expiresSeconds} and only once.</p>' +
      '<p>Our mails can land in the spam folder: if one you expect does not arrive, look there and mark it as not spam.</p>' +
      '<p>If you did not sign up, you can ignore this mail.</p>',
  },
  'account.already_registered': {
    subject: 'Someone tried to sign up with your e-mail address',
    text:
      'Someone (maybe you) tried to create an account with this e-mail address, but you already have one.\n\n' +
      'Sign in: {signInLink}\nForgot your password? Reset it: {resetLink}\n\n' +
      'If this was not you, you can ignore this mail; nothing was changed.\n',
    html:
      '<p>Someone (maybe you) tried to create an account with this e-mail address, but you already have one.</p>' +
      '<p><a href="{signInLink}">Sign in</a> · <a href="{resetLink}">Reset your password</a></p>' +
      '<p>If this was not you, you can ignore this mail; nothing was changed.</p>',
  },
  'social.link_account': {
    subject: 'Link {provider} to your account',
    text:
      'Someone (maybe you) signed in with {provider} using this e-mail address, which already has an account.\n\n' +
      'To link {provider} to your account, open this link (works for {expiresSeconds}, once):\n{link}\n\n' +
      'If this was not you, ignore this mail: nothing is linked.\n',
    html:
      '<p>Someone (maybe you) signed in with {provider} using this e-mail address, which already has an account.</p>' +
      '<p><a href="{link}">Link {provider} to your account</a> (works for {expiresSeconds}, once)</p>' +
      '<p>If this was not you, ignore this mail: nothing is linked.</p>',
  },
  'account.reset_password': {
    subject: 'Reset your password',
    text:
      'Someone (maybe you) asked to reset the password of your account.\n\n' +
      'Choose a new password here (works for {expiresSeconds}, once):\n{link}\n\n' +
      'If you did not ask for this, ignore this mail: your password stays as it is.\n',
    html:
      '<p>Someone (maybe you) asked to reset the password of your account.</p>' +
      '<p><a href="{link}">Choose a new password</a> (works for {expiresSeconds}, once)</p>' +
      '<p>If you did not ask for this, ignore this mail: your password stays as it is.</p>',
  },
  'account.confirm_new_email': {
    subject: 'Confirm your new e-mail address',
    text:
      'You asked to make this address the primary e-mail of your account.\n\n' +
      'Confirm it here (works for {expiresSeconds}, once):\n{link}\n\n' +
      'Until you confirm, your old address stays in use. If you did not ask for this, ignore this mail.\n',
    html:
      '<p>You asked to make this address the primary e-mail of your account.</p>' +
      '<p><a href="{link}">Confirm your new e-mail address</a> (works for {expiresSeconds}, once)</p>' +
      '<p>Until you confirm, your old address stays in use. If you did not ask for this, ignore this mail.</p>',
  },
  'account.email_changed': {
    subject: 'Your account e-mail address was changed',
    text:
      'The primary e-mail of your account is now {newEmail}.\n\n' +
      'If this was not you, undo the change within 7 days (this also signs everyone out of your account):\n{undoLink}\n',
    html:
      '<p>The primary e-mail of your account is now <strong>{newEmail}</strong>.</p>' +
      '<p>If this was not you, <a href="{undoLink}">undo the change</a> within 7 days (this also signs everyone out of your account).</p>',
  },
  'account.password_changed': {
    subject: 'Your password was changed',
    text:
      'The password of your account was just changed, and other devices were signed out.\n\n' +
      'If this was not you, reset your password now and review your account: {accountLink}\n',
    html:
      '<p>The password of your account was just changed, and other devices were signed out.</p>' +
      '<p>If this was not you, reset your password now and <a href="{accountLink}">review your account</a>.</p>',
  },
  'otp.token_registered': {
    subject: 'A new OTP app was registered',
    text:
      'A new OTP app ({serial}) was registered for your account.\n\n' +
      'If this was not you, contact IT support at once.\n',
    html:
      '<p>A new OTP app (<strong>{serial}</strong>) was registered for your account.</p>' +
      '<p>If this was not you, contact IT support at once.</p>',
  },
  'otp.token_replaced': {
    subject: 'A new OTP app was registered',
    text:
      'A new OTP app ({serial}) was registered for your account. The codes of your earlier app ({revoked}) no longer work.\n\n' +
      'If this was not you, contact IT support at once.\n',
    html:
      '<p>A new OTP app (<strong>{serial}</strong>) was registered for your account. The codes of your earlier app ({revoked}) no longer work.</p>' +
      '<p>If this was not you, contact IT support at once.</p>',
  },
  'account.deleted': {
    subject: 'Your account was deleted',
    text: 'Your account and its data were deleted, and every app was signed out. You can sign up again with this address at any time.\n',
    html: '<p>Your account and its data were deleted, and every app was signed out. You can sign up again with this address at any time.</p>',
  },
};
