// Accessible form parts: every input has a label, a hint and an error tied to it by aria-describedby,
// and an error summary that a screen reader announces first.
import { html, type Html } from './html.ts';
import { t, type MessageId } from '../../i18n/index.ts';

export interface FieldError {
  field?: string;
  message: MessageId;
  params?: Record<string, string | number>;
}

export interface FieldOptions {
  name: string;
  label: MessageId;
  /** Values for the label's placeholders (`Reason for unlocking {serial}`). */
  labelParams?: Record<string, string | number>;
  type?: 'text' | 'email' | 'password';
  value?: string;
  autocomplete?: string;
  hint?: string;
  error?: FieldError;
  inputmode?: string;
  required?: boolean;
  autofocus?: boolean;
}

export function field(o: FieldOptions): Html {
  const described = [o.hint ? `${o.name}-hint` : '', o.error ? `${o.name}-error` : ''].filter(Boolean).join(' ');
  return html`<label for="${o.name}">${t(o.label, o.labelParams)}</label>
${o.hint ? html`<p class="hint" id="${o.name}-hint">${o.hint}</p>` : ''}
${o.error ? html`<p class="field-error" id="${o.name}-error">${t(o.error.message, o.error.params)}</p>` : ''}
<input id="${o.name}" name="${o.name}" type="${o.type ?? 'text'}" value="${o.value ?? ''}"${o.autocomplete ? html` autocomplete="${o.autocomplete}"` : ''}${o.inputmode ? html` inputmode="${o.inputmode}"` : ''}${o.required === false ? '' : html` required`}${o.autofocus || o.error ? html` autofocus` : ''}${described ? html` aria-describedby="${described}"` : ''}${o.error ? html` aria-invalid="true"` : ''}>`;
}

export function errorSummary(errors: FieldError[]): Html | '' {
  if (errors.length === 0) return '';
  return html`<div class="summary" role="alert" aria-labelledby="summary-title"><h2 id="summary-title">${t('error.summary')}</h2><ul>
${errors.map((e) => html`<li>${e.field ? html`<a href="#${e.field}">${t(e.message, e.params)}</a>` : t(e.message, e.params)}</li>`)}</ul></div>`;
}

export function hiddenInputs(values: Record<string, string>): Html {
  return html`${Object.entries(values).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}`;
}
