// Mail by stable id: the catalogue holds the words, code passes parameters. Every parameter is HTML-escaped
// in the HTML part; the text part is plain.
import { escape } from '../web/html.ts';

interface Template { subject: string; text: string; html: string }

const catalogues: Record<string, Record<string, Template>> = {
  en: {
    'account.verify_email': {
      subject: 'Confirm your e-mail address',
      text: 'Welcome!\n\nYour confirmation code is {code}\n\nOr open this link to confirm your e-mail address:\n{link}\n\nThe code and the link work for {expiresMinutes} minutes and only once.\nIf you did not sign up, you can ignore this mail.\n',
      html: '<p>Welcome!</p><p>Your confirmation code is <strong style="font-size:1.4em;letter-spacing:.1em">{code}</strong></p><p><a href="{link}">Confirm your e-mail address</a></p><p>The code and the link work for {expiresMinutes} minutes and only once. If you did not sign up, you can ignore this mail.</p>',
    },
    'account.already_registered': {
      subject: 'Someone tried to sign up with your e-mail address',
      text: 'Someone (maybe you) tried to create an account with this e-mail address, but you already have one.\n\nSign in: {signInLink}\nForgot your password? Reset it: {resetLink}\n\nIf this was not you, you can ignore this mail; nothing was changed.\n',
      html: '<p>Someone (maybe you) tried to create an account with this e-mail address, but you already have one.</p><p><a href="{signInLink}">Sign in</a> · <a href="{resetLink}">Reset your password</a></p><p>If this was not you, you can ignore this mail; nothing was changed.</p>',
    },
    'account.reset_password': {
      subject: 'Reset your password',
      text: 'Someone (maybe you) asked to reset the password of your account.\n\nChoose a new password here (works for {expiresMinutes} minutes, once):\n{link}\n\nIf you did not ask for this, ignore this mail: your password stays as it is.\n',
      html: '<p>Someone (maybe you) asked to reset the password of your account.</p><p><a href="{link}">Choose a new password</a> (works for {expiresMinutes} minutes, once)</p><p>If you did not ask for this, ignore this mail: your password stays as it is.</p>',
    },
    'account.confirm_new_email': {
      subject: 'Confirm your new e-mail address',
      text: 'You asked to make this address the primary e-mail of your account.\n\nConfirm it here (works for {expiresMinutes} minutes, once):\n{link}\n\nUntil you confirm, your old address stays in use. If you did not ask for this, ignore this mail.\n',
      html: '<p>You asked to make this address the primary e-mail of your account.</p><p><a href="{link}">Confirm your new e-mail address</a> (works for {expiresMinutes} minutes, once)</p><p>Until you confirm, your old address stays in use. If you did not ask for this, ignore this mail.</p>',
    },
    'account.email_changed': {
      subject: 'Your account e-mail address was changed',
      text: 'The primary e-mail of your account is now {newEmail}.\n\nIf this was not you, undo the change within 7 days (this also signs everyone out of your account):\n{undoLink}\n',
      html: '<p>The primary e-mail of your account is now <strong>{newEmail}</strong>.</p><p>If this was not you, <a href="{undoLink}">undo the change</a> within 7 days (this also signs everyone out of your account).</p>',
    },
    'account.password_changed': {
      subject: 'Your password was changed',
      text: 'The password of your account was just changed, and other devices were signed out.\n\nIf this was not you, reset your password now and review your account: {accountLink}\n',
      html: '<p>The password of your account was just changed, and other devices were signed out.</p><p>If this was not you, reset your password now and <a href="{accountLink}">review your account</a>.</p>',
    },
    'otp.token_replaced': {
      subject: 'A new OTP app was registered',
      text: 'A new OTP app ({serial}) was registered for your account. The codes of your earlier app ({revoked}) no longer work.\n\nIf this was not you, contact IT support at once.\n',
      html: '<p>A new OTP app (<strong>{serial}</strong>) was registered for your account. The codes of your earlier app ({revoked}) no longer work.</p><p>If this was not you, contact IT support at once.</p>',
    },
    'account.deleted': {
      subject: 'Your account was deleted',
      text: 'Your account and its data were deleted, and every app was signed out. You can sign up again with this address at any time.\n',
      html: '<p>Your account and its data were deleted, and every app was signed out. You can sign up again with this address at any time.</p>',
    },
  },
};

export class TemplateError extends Error {
  readonly code = 'delivery.unknown_template';
}

export function renderMail(id: string, params: Record<string, string | number>, locale = 'en'): Template {
  const template = catalogues[locale]?.[id] ?? catalogues.en[id];
  if (!template) throw new TemplateError(`no mail template ${id}`);
  const fill = (text: string, encode: (v: string) => string) =>
    text.replace(/\{(\w+)\}/g, (_, name: string) => encode(String(params[name] ?? '')));
  return { subject: fill(template.subject, (v) => v), text: fill(template.text, (v) => v), html: fill(template.html, escape) };
}
