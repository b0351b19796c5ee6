// Catalogul românesc: aceleași id-uri și parametri ca en.ts (testul catalogului le compară). Diacritice cu virgulă
// dedesubt (ș ț), niciodată cu sedilă (ş ţ); pluralele după Intl.PluralRules('ro'): one, few („2 coduri”),
// other („20 de coduri”). Adresarea este politicoasă (dumneavoastră), ca pe pagina de întrebări a clienților.
import type { MessageId } from './en.ts';

export const ro: Readonly<Partial<Record<MessageId, string>>> = {
  'app.name': 'Tessera',
  'app.skip': 'Salt la conținut',
  'language.name': 'Română',
  'layout.language': 'Limba',
  'a11y.menu': 'Accesibilitate',
  'a11y.large_text_on': 'Text mai mare',
  'a11y.large_text_off': 'Text de mărime normală',
  'a11y.contrast_on': 'Contrast ridicat',
  'a11y.contrast_off': 'Contrast normal',
  'signin.title': 'Autentificare',
  'signin.intro': 'Un singur cont pentru magazin, forumuri și toate aplicațiile.',
  'signin.to_app': 'pentru a continua în {app}',
  'signin.email': 'Adresa de e-mail',
  'signin.password': 'Parola',
  'signin.submit': 'Autentificare',
  'signin.no_account': 'Nu aveți încă un cont?',
  'signin.create': 'Creați un cont',
  'signin.forgot': 'Resetați parola',
  'signin.cancel': 'Anulați și reveniți',
  'signup.title': 'Creați-vă contul',
  'signup.name': 'Nume (opțional)',
  'signup.password_hint':
    'Cel puțin {min, plural, one {# caracter} few {# caractere} other {# de caractere}}. Orice caractere, inclusiv spații; cel mai bine este o frază lungă.',
  'signup.submit': 'Creați contul',
  'signup.have_account': 'Aveți deja un cont?',
  'verify.title': 'Confirmați adresa de e-mail',
  'verify.sent':
    'Am trimis un cod din 6 cifre și un link la {email}. Introduceți codul aici sau deschideți linkul din mesaj.',
  'verify.spam': 'Nu ați primit mesajul după câteva minute? Verificați dosarul Spam, apoi cereți un cod nou.',
  'verify.code': 'Codul din 6 cifre',
  'verify.submit': 'Confirmați',
  'verify.resend': 'Trimiteți un cod nou',
  'verify.resent': 'Un cod nou este pe drum. Codul anterior nu mai este valabil.',
  'verify.done_title': 'Adresa de e-mail este confirmată',
  'verify.done':
    'Contul dumneavoastră este gata. Vă puteți autentifica acum în magazin, pe forumuri și în orice aplicație.',
  'verify.continue': 'Continuați',
  'consent.title': '{app} cere acces',
  'consent.intro': '{app} ar dori să:',
  'consent.scope.openid': 'știe cine sunteți când vă autentificați',
  'consent.scope.email': 'vadă adresa dumneavoastră de e-mail',
  'consent.scope.profile': 'vadă numele dumneavoastră',
  'consent.scope.offline_access': 'rămână conectată când nu o folosiți',
  'consent.scope.groups': 'vadă din ce grupuri ale companiei faceți parte',
  'consent.policy': 'Politica de confidențialitate a {app}',
  'consent.terms': 'Condițiile {app}',
  'consent.allow': 'Permiteți',
  'consent.deny': 'Refuzați',
  'logout.title': 'Deconectare',
  'logout.question': 'Doriți să vă deconectați din toate aplicațiile care folosesc contul dumneavoastră?',
  'logout.yes': 'Da, deconectați-mă',
  'logout.no': 'Nu, rămân conectat',
  'logout.done_title': 'V-ați deconectat',
  'logout.done': 'V-ați deconectat din cont și din aplicațiile care îl folosesc.',
  'account.title': 'Contul dumneavoastră',
  'account.signed_in_as': 'Conectat ca {email}',
  'account.sign_in': 'Autentificați-vă în cont',
  'account.create': 'Creați un cont',
  'account.sessions': 'Unde sunteți conectat',
  'account.sessions_intro':
    'Browserele și dispozitivele conectate la contul dumneavoastră. Deconectarea unuia îl deconectează și din aplicațiile pe care le folosește.',
  'account.session_device': 'Dispozitiv',
  'account.session_address': 'Adresă',
  'account.session_since': 'Conectat la',
  'account.session_apps': 'Aplicații',
  'account.session_current': 'Acest browser',
  'account.session_end': 'Deconectați',
  'account.sessions_end_all': 'Deconectați-vă peste tot',
  'account.session_ended': 'Dispozitivul a fost deconectat.',
  'account.apps': 'Aplicații care folosesc contul dumneavoastră',
  'account.apps_intro': 'Fiecare aplicație își păstrează propriile date și are propria politică de confidențialitate.',
  'account.apps_none': 'Nicio aplicație nu are încă acces la contul dumneavoastră.',
  'account.app_data': 'Acordat: {scopes}',
  'account.app_revoke': 'Retrageți accesul',
  'account.app_revoked': 'Aplicația nu mai are acces la contul dumneavoastră.',
  'account.marketing': 'E-mailuri de marketing',
  'account.marketing_label': 'Trimiteți-mi noutăți și oferte prin e-mail',
  'account.marketing_save': 'Salvați',
  'account.marketing_saved': 'Alegerea privind e-mailurile de marketing a fost salvată.',
  'account.password': 'Schimbați parola',
  'account.current_password': 'Parola actuală',
  'account.new_password': 'Parola nouă',
  'account.password_save': 'Schimbați parola',
  'account.password_changed': 'Parola a fost schimbată. Celelalte dispozitive au fost deconectate.',
  'account.email': 'Schimbați adresa de e-mail',
  'account.new_email': 'Adresa de e-mail nouă',
  'account.email_save': 'Trimiteți linkul de confirmare',
  'account.email_sent':
    'Am trimis un link de confirmare la {email}. Adresa se schimbă când îl deschideți; până atunci rămâne în uz cea veche.',
  'account.email_confirm_title': 'Confirmați noua adresă de e-mail',
  'account.email_confirmed': 'Adresa dumneavoastră de e-mail este acum {email}.',
  'account.email_undo_title': 'Anulați schimbarea adresei de e-mail',
  'account.email_undone':
    'Schimbarea a fost anulată: vechea adresă de e-mail a revenit și toate dispozitivele au fost deconectate. Autentificați-vă din nou și schimbați-vă parola dacă altcineva a făcut schimbarea.',
  'account.otp': 'Tokenuri OTP',
  'account.otp_intro':
    'Aplicațiile și dispozitivele care vă dau coduri unice. Funcționează doar ultimul telefon sau ultima aplicație PC înregistrată; tokenurile hardware funcționează alături.',
  'account.otp_none': 'Încă niciun token OTP.',
  'account.otp_token': '{type} {serial}: {state}',
  'account.otp_register': 'Înregistrați un telefon nou',
  'account.otp_registered': 'Noua aplicație OTP este înregistrată.',
  'account.otp_replaced': 'Noua aplicație OTP este înregistrată. Codurile {serials} nu mai funcționează.',
  'account.data': 'Datele dumneavoastră',
  'account.export': 'Descărcați datele (JSON)',
  'account.lost_email':
    'Nu mai puteți folosi adresa de e-mail cu care v-ați înregistrat? Creați un cont nou cu noua adresă.',
  'account.delete': 'Ștergeți contul',
  'account.delete_intro':
    'Aceasta vă șterge contul pentru magazin, forumuri și toate aplicațiile și vă deconectează peste tot.',
  'account.delete_confirm': 'Ștergeți-mi contul',
  'account.deleted': 'Contul a fost șters. Adresa de e-mail poate fi folosită pentru un cont nou.',
  'signup.marketing': 'Trimiteți-mi noutăți și oferte prin e-mail (mă pot dezabona oricând)',
  'unsubscribe.title': 'Dezabonare de la e-mailurile de marketing',
  'unsubscribe.question':
    'Nu mai doriți noutăți și oferte prin e-mail? Mesajele despre cont (autentificare, parolă, securitate) vor sosi în continuare.',
  'unsubscribe.submit': 'Dezabonați-mă',
  'unsubscribe.done': 'V-ați dezabonat. Nu veți mai primi e-mailuri de marketing de la noi.',
  'unsubscribe.invalid':
    'Acest link de dezabonare nu este valabil. Folosiți butonul din cel mai recent mesaj sau schimbați alegerea pe pagina contului.',
  'home.title': 'Contul dumneavoastră',
  'home.intro': 'Tessera vă autentifică în magazin, pe forumuri și în toate aplicațiile cu un singur cont.',
  'error.title': 'Ceva nu este în regulă',
  'error.back': 'Reveniți în aplicație și încercați din nou.',
  'error.summary': 'Există o problemă',
  'mailbox.title': 'Cutie poștală locală (demo)',
  'mailbox.intro':
    'Nu este configurat niciun server de e-mail, așa că Tessera își păstrează mesajele aici. Cele mai noi primele.',
  'mailbox.empty': 'Încă niciun mesaj.',
  'mailbox.sms': 'SMS',
  'mailbox.to': 'Către {to} · {at}',
  'account.time_utc': '{at} UTC',
  'otp.type.mobile': 'Aplicație pe telefon',
  'otp.type.desktop': 'Aplicație PC',
  'otp.type.hardware': 'Token hardware',
  'otp.state.pending': 'așteaptă primul cod',
  'otp.state.active': 'activ',
  'otp.state.locked': 'blocat',
  'otp.state.revoked': 'nu mai este valabil',
  'identity.invalid_email': 'Introduceți o adresă de e-mail de forma nume@exemplu.ro.',
  'identity.wrong_password': 'Parola actuală nu este corectă.',
  'identity.email_unchanged': 'Aceasta este deja adresa dumneavoastră de e-mail.',
  'identity.email_taken': 'Există deja un cont cu această adresă de e-mail.',
  'identity.password_too_short':
    'Folosiți cel puțin {min, plural, one {# caracter} few {# caractere} other {# de caractere}}.',
  'identity.password_too_long':
    'Parola este prea lungă: folosiți cel mult {max, plural, one {# caracter} few {# caractere} other {# de caractere}}.',
  'identity.password_equals_email': 'Parola nu poate fi adresa dumneavoastră de e-mail.',
  'identity.password_breached': 'Această parolă a apărut într-o scurgere de date. Alegeți alta.',
  'identity.invalid_credentials': 'Adresa de e-mail sau parola nu este corectă.',
  'identity.email_not_verified':
    'Confirmați mai întâi adresa de e-mail: introduceți codul din mesajul trimis sau cereți unul nou.',
  'identity.too_many_attempts': 'Prea multe încercări. Așteptați {seconds}, apoi încercați din nou.',
  'identity.verification_invalid': 'Acest cod sau link a expirat ori a fost deja folosit. Cereți unul nou.',
  'identity.wrong_code': 'Codul nu este corect. Verificați mesajul și încercați din nou.',
  'signin.identifier': 'Adresa de e-mail sau codul IT',
  'signin.identifier_hint':
    'Angajați, furnizori și colaboratori: codul IT (jsmith sau CORP\\jsmith) și parola din directorul companiei.',
  'directory.wrong_password': 'Numele sau parola nu este corectă.',
  'directory.empty_password': 'Introduceți parola.',
  'directory.password_too_long': 'Parola este prea lungă.',
  'directory.invalid_name': 'Introduceți codul IT, de exemplu jsmith sau CORP\\jsmith.',
  'directory.account_disabled': 'Contul dumneavoastră este dezactivat în directorul companiei. Contactați suportul IT.',
  'directory.account_locked':
    'Contul dumneavoastră este blocat în directorul companiei. Așteptați puțin sau contactați suportul IT.',
  'directory.account_expired': 'Contul dumneavoastră a expirat în directorul companiei. Contactați suportul IT.',
  'directory.password_expired': 'Parola din director a expirat. Schimbați-o, apoi autentificați-vă din nou.',
  'directory.password_expired_at':
    'Parola din director a expirat. Schimbați-o la {url}, apoi autentificați-vă din nou.',
  'directory.ambiguous_user':
    'Autentificarea cu directorul companiei nu este configurată corect. Contactați suportul IT.',
  'directory.unreachable':
    'Directorul companiei nu poate fi contactat acum. Nu este o problemă cu parola dumneavoastră: încercați din nou peste puțin timp.',
  'directory.misconfigured':
    'Autentificarea cu directorul companiei nu este configurată corect. Contactați suportul IT.',
  'otp.title': 'Introduceți codul OTP',
  'otp.intro': '{app} cere codul din 6 cifre afișat în aplicația OTP, pe lângă parolă.',
  'otp.code': 'Codul OTP',
  'otp.submit': 'Continuați',
  'otp.enrol_title': 'Înregistrați aplicația OTP',
  'otp.enrol_required': '{app} cere de acum un cod unic. Înregistrați o singură dată aplicația OTP; durează un minut.',
  'otp.enrol_suggested': '{app} va cere în curând un cod unic. Înregistrați aplicația OTP acum sau mai târziu.',
  'otp.enrol_step_app':
    'Instalați pe telefon o aplicație de autentificare (de exemplu aplicația OTP a companiei sau orice aplicație pentru coduri unice).',
  'otp.enrol_step_scan': 'În aplicație, scanați acest cod QR. Dacă nu îl puteți scana, tastați cheia de mai jos.',
  'otp.enrol_qr_alt': 'Cod QR pentru înregistrarea aplicației OTP',
  'otp.enrol_key': 'Cheie',
  'otp.enrol_step_code': 'Introduceți codul din 6 cifre pe care îl afișează acum aplicația.',
  'otp.enrol_note':
    'Funcționează doar ultimul telefon sau ultima aplicație PC înregistrată: înregistrând-o pe aceasta, codurile aplicației înregistrate anterior nu mai funcționează.',
  'otp.later': 'Amintiți-mi mai târziu',
  'otp.register_again': 'Telefon nou sau pierdut? Înregistrați din nou aplicația OTP',
  'otp.malformed': 'Introduceți cele 6 cifre afișate în aplicația OTP.',
  'otp.wrong_code': 'Codul nu este corect. Așteptați codul următor și încercați din nou.',
  'otp.replayed': 'Acest cod a fost deja folosit. Așteptați codul următor.',
  'otp.throttled': 'Prea multe coduri greșite. Așteptați {seconds}, apoi încercați din nou.',
  'otp.locked': 'Tokenul OTP este blocat după prea multe coduri greșite. Contactați suportul IT pentru deblocare.',
  'otp.no_token': 'Nu aveți încă un token OTP. Înregistrați mai întâi aplicația OTP.',
  'otp.enrolment_invalid': 'Această înregistrare a expirat. Începeți din nou.',
  'otp.second_factor_required':
    'Contul dumneavoastră are deja un token OTP. Pentru a înregistra unul nou, autentificați-vă mai întâi cu un cod de la el; dacă l-ați pierdut, contactați suportul IT.',
  'signin.flow_expired': 'Această autentificare a expirat. Reveniți în aplicație și începeți din nou.',
  'signin.code_required': 'Această aplicație cere codul OTP. Înregistrați aplicația OTP pentru a continua.',
  'otp.serial_unknown': 'Nu există niciun token cu acest număr de serie.',
  'otp.serial_taken': 'Acest token aparține altcuiva.',
  'otp.resync_failed': 'Cele două coduri nu sunt consecutive. Încercați din nou cu două coduri noi.',
  'reset.title': 'Resetați parola',
  'reset.intro': 'Introduceți adresa de e-mail a contului. Vă vom trimite un link pentru a alege o parolă nouă.',
  'reset.captcha': 'Verificare că sunteți o persoană',
  'reset.submit': 'Continuați',
  'reset.sent':
    'Dacă există un cont pentru {email}, i-am trimis un link pentru a alege o parolă nouă. Verificați dosarul Spam dacă nu sosește în câteva minute.',
  'reset.new_title': 'Alegeți o parolă nouă',
  'reset.new_submit': 'Salvați parola nouă',
  'reset.done': 'Parola a fost schimbată și toate dispozitivele au fost deconectate. Autentificați-vă cu parola nouă.',
  'captcha.working': 'Verificăm că sunteți o persoană. Durează câteva secunde…',
  'captcha.done': 'Verificare încheiată. Puteți continua.',
  'captcha.failed': 'Verificarea nu s-a încheiat. Reîncărcați pagina pentru a încerca din nou.',
  'captcha.noscript': 'Această verificare are nevoie de JavaScript. Activați-l sau folosiți un browser care îl are.',
  'captcha.missing':
    'Verificarea că sunteți o persoană nu s-a încheiat. Așteptați „Verificare încheiată”, apoi continuați.',
  'captcha.invalid': 'Verificarea că sunteți o persoană nu a reușit. Reîncărcați pagina și încercați din nou.',
  'captcha.replayed': 'Această verificare a fost deja folosită. Reîncărcați pagina și încercați din nou.',
  'captcha.expired': 'Verificarea că sunteți o persoană a expirat. Reîncărcați pagina și încercați din nou.',
  'radius.second_password': 'Introduceți a doua parolă: codul OTP din 6 cifre din aplicația OTP.',
  'radius.otp_code': 'Introduceți codul OTP',
  'radius.wrong_password': 'Codul IT sau parola este incorectă.',
  'radius.wrong_code': 'Codul OTP nu este corect. Așteptați codul următor și încercați din nou.',
  'radius.code_used': 'Acest cod OTP a fost deja folosit. Așteptați codul următor.',
  'radius.locked': 'Prea multe coduri OTP greșite. Așteptați puțin sau contactați suportul IT.',
  'radius.throttled': 'Prea multe parole greșite. Așteptați câteva minute și încercați din nou.',
  'radius.unreachable': 'Directorul companiei nu poate fi contactat. Încercați din nou peste puțin timp.',
  'radius.enrol':
    'Aveți nevoie mai întâi de o aplicație OTP: înregistrați-o pe pagina contului, apoi conectați-vă din nou.',
  'radius.enrol_at': 'Aveți nevoie mai întâi de o aplicație OTP: înregistrați-o la {url}, apoi conectați-vă din nou.',
  'radius.expired': 'Conectarea a durat prea mult. Începeți din nou.',
  'radius.not_allowed': 'Contul dumneavoastră nu poate folosi acest VPN. Cereți acces suportului IT.',
  'radius.pap_required':
    'Acest gateway VPN nu este configurat pentru coduri OTP (trebuie să trimită parolele cu PAP). Contactați suportul IT.',
  'radius.account_disabled': 'Contul dumneavoastră este dezactivat în directorul companiei. Contactați suportul IT.',
  'radius.account_locked':
    'Contul dumneavoastră este blocat în directorul companiei. Așteptați puțin sau contactați suportul IT.',
  'radius.account_expired': 'Contul dumneavoastră a expirat în directorul companiei. Contactați suportul IT.',
  'radius.password_expired': 'Parola din director a expirat. Schimbați-o, apoi conectați-vă din nou.',
  'radius.password_expired_at': 'Parola din director a expirat. Schimbați-o la {url}, apoi conectați-vă din nou.',
  'social.or': 'Sau continuați cu',
  'social.continue': 'Continuați cu {provider}',
  'social.provider.google': 'Google',
  'social.provider.microsoft': 'Microsoft',
  'social.provider.facebook': 'Facebook',
  'social.failed_title': 'Autentificarea prin furnizor nu a reușit',
  'social.state_invalid':
    'Această autentificare prin furnizor a expirat sau a fost începută în alt browser. Reveniți în aplicație și începeți din nou.',
  'social.cancelled':
    'Ați anulat la furnizor. Nu s-a schimbat nimic. Reveniți în aplicație pentru a vă autentifica altfel.',
  'social.unavailable':
    'Furnizorul nu poate fi contactat acum. Nu s-a schimbat nimic. Încercați din nou peste puțin timp sau autentificați-vă altfel.',
  'social.rejected':
    'Răspunsul furnizorului nu a putut fi acceptat. Nu s-a schimbat nimic. Reveniți în aplicație și începeți din nou.',
  'social.email_unverified':
    'Furnizorul nu a confirmat adresa dumneavoastră de e-mail, așa că nu putem crea un cont din ea. Confirmați-o acolo sau creați un cont cu adresa de e-mail.',
  'social.account_exists':
    'Există deja un cont cu această adresă de e-mail. Autentificați-vă cu parola lui, apoi asociați furnizorul pe pagina contului.',
  'social.workforce':
    'Conturile angajaților se autentifică cu parola companiei, nu prin Google, Facebook sau Microsoft.',
  'social.linked_elsewhere': 'Acest cont al furnizorului este deja asociat altui cont.',
  'social.last_method':
    'Aceasta este singura dumneavoastră metodă de autentificare. Setați mai întâi o parolă sau asociați alt furnizor.',
  'social.unknown_provider': 'Acest furnizor nu este disponibil aici.',
  'social.signin_again':
    'Este nevoie de o autentificare recentă: deconectați-vă, autentificați-vă din nou (cu parola sau cu furnizorul), apoi încercați din nou în cel mult 10 minute.',
  'social.delete_recent':
    'Contul dumneavoastră nu are parolă: ștergerea lui cere o autentificare în ultimele 10 minute.',
  'social.prove_title': 'Asociați {provider} contului dumneavoastră',
  'social.prove_intro':
    'Există deja un cont cu {email}. Introduceți o dată parola lui pentru a-i asocia {provider}; după aceea vă puteți autentifica în ambele moduri.',
  'social.prove_submit': 'Asociați și autentificați-vă',
  'social.prove_mail': 'Nu aveți parolă? Trimiteți-mi un link prin e-mail',
  'social.mail_sent': 'Am trimis un link la {email}. Deschideți-l, apoi reveniți aici și apăsați Continuați.',
  'social.continue_after_mail': 'Continuați',
  'social.confirm_title': 'Asociați-vă contul',
  'social.confirm_submit': 'Asociați-mi contul',
  'social.confirm_done':
    'Furnizorul este acum asociat contului dumneavoastră. Reveniți în fereastra în care vă autentificați și apăsați Continuați.',
  'social.linked_title': 'Furnizori de autentificare',
  'social.linked_intro': 'Vă puteți autentifica cu aceste conturi, pe lângă parolă.',
  'social.linked_none': 'Niciun furnizor nu este asociat.',
  'social.linked_item': '{provider} ({email})',
  'social.link': 'Asociați {provider}',
  'social.unlink': 'Eliminați asocierea',
  'social.linked_done': '{provider} este asociat contului dumneavoastră.',
  'social.unlinked_done': '{provider} nu mai este asociat contului dumneavoastră.',
  'web.rate_limited': 'Prea multe încercări. Așteptați {seconds}, apoi încercați din nou.',
  'web.csrf': 'Acest formular a expirat. Încercați din nou.',
  'web.interaction_expired': 'Această pagină de autentificare a expirat. Reveniți în aplicație și începeți din nou.',
  'web.too_large': 'Ce s-a trimis este prea mare.',
  'web.not_found': 'Această pagină nu există.',
  'web.bad_request': 'Cererea nu a fost înțeleasă.',
  'web.unavailable': 'Serviciul nu poate fi contactat acum. Încercați din nou peste puțin timp.',
  'register.title': 'Înregistrați aplicația OTP',
  'register.intro':
    'Angajați, furnizori și colaboratori: înregistrați aplicația OTP de pe telefon cu codul IT și parola, ID-ul de angajat și un cod pe care vi-l trimitem prin SMS.',
  'register.name': 'Codul IT',
  'register.name_hint': 'Numele de autentificare din companie, de exemplu jsmith sau CORP\\jsmith.',
  'register.start': 'Continuați',
  'register.employee_title': 'ID-ul de angajat',
  'register.employee_intro': 'Introduceți ID-ul de angajat, așa cum apare în profilul de angajat.',
  'register.employee_id': 'ID de angajat',
  'register.employee_where': 'Îl găsiți în profilul de angajat din sistemul de resurse umane.',
  'register.code_title': 'Introduceți codul de verificare',
  'register.code_sent':
    'Am trimis un cod de verificare din 6 cifre prin SMS la numărul dumneavoastră de mobil {number}. Poate dura un minut.',
  'register.code_late':
    'SMS-ul către {number} este pe drum, dar poate întârzia. Dacă nu sosește, cereți echipei locale de suport IT un cod de înregistrare.',
  'register.code_failed':
    'Nu am putut trimite SMS-ul către {number}. Cereți echipei locale de suport IT un cod de înregistrare.',
  'register.code_no_mobile':
    'Directorul companiei nu are un număr de mobil pentru dumneavoastră, așa că nu putem trimite un SMS. Cereți echipei locale de suport IT un cod de înregistrare.',
  'register.code_no_sms': 'Cereți echipei locale de suport IT un cod de înregistrare și introduceți-l aici.',
  'register.code': 'Codul din SMS sau codul de înregistrare',
  'register.code_hint':
    'Cele 6 cifre din SMS sau codul de înregistrare de la suportul IT (de forma K7QM-3XPA-9RTD-W2HN).',
  'register.code_submit': 'Continuați',
  'register.resend': 'Trimiteți un SMS nou',
  'register.not_received': 'Nu ați primit SMS-ul? Cereți echipei locale de suport IT un cod de înregistrare.',
  'register.done_title': 'Aplicația OTP este înregistrată',
  'register.done':
    'Aplicația OTP {serial} este înregistrată. Folosiți codul ei pentru a vă conecta la VPN, la webmail și la portal.',
  'register.replaced':
    'Este valabilă doar ultima aplicație înregistrată: aplicația anterioară ({revoked}) nu mai funcționează. V-am trimis un e-mail despre această schimbare.',
  'register.again': 'Începeți din nou',
  'registration.flow_expired':
    'Această înregistrare s-a încheiat sau a expirat. Începeți din nou cu codul IT și parola.',
  'registration.directory_only':
    'Înregistrarea este pentru angajați, furnizori și colaboratori: introduceți codul IT, de exemplu jsmith.',
  'registration.wrong_employee_id':
    'ID-ul de angajat nu corespunde evidențelor noastre. Îl găsiți în profilul de angajat din sistemul de resurse umane.',
  'registration.wrong_employee_id_at': 'ID-ul de angajat nu corespunde evidențelor noastre. {hint}',
  'registration.wrong_code':
    'Codul nu este corect, a expirat sau a fost deja folosit. Verificați SMS-ul sau codul de la suportul IT și încercați din nou.',
  'registration.not_workforce':
    'Codurile de înregistrare sunt pentru conturile din director care au deschis pagina de înregistrare.',
  'sms.registration_code':
    'Codul dumneavoastră de înregistrare Tessera este {code}. Expiră în {expiresSeconds}. Nu îl dați nimănui.',
  'mail.account.verify_email.subject': 'Confirmați adresa de e-mail',
  'mail.account.verify_email.text':
    'Bun venit!\n\nCodul dumneavoastră de confirmare este {code}\n\nSau deschideți acest link pentru a confirma adresa de e-mail:\n{link}\n\nCodul și linkul sunt valabile {expiresSeconds} și o singură dată.\n\nMesajele noastre pot ajunge în dosarul Spam: dacă unul așteptat nu sosește, căutați-l acolo și marcați-l ca nefiind spam.\nDacă nu v-ați înregistrat, puteți ignora acest mesaj.\n',
  'mail.account.verify_email.html':
    '<p>Bun venit!</p><p>Codul dumneavoastră de confirmare este <strong style="font-size:1.4em;letter-spacing:.1em">{code}</strong></p><p><a href="{link}">Confirmați adresa de e-mail</a></p><p>Codul și linkul sunt valabile {expiresSeconds} și o singură dată.</p><p>Mesajele noastre pot ajunge în dosarul Spam: dacă unul așteptat nu sosește, căutați-l acolo și marcați-l ca nefiind spam.</p><p>Dacă nu v-ați înregistrat, puteți ignora acest mesaj.</p>',
  'mail.account.already_registered.subject': 'Cineva a încercat să se înregistreze cu adresa dumneavoastră de e-mail',
  'mail.account.already_registered.text':
    'Cineva (poate chiar dumneavoastră) a încercat să creeze un cont cu această adresă de e-mail, dar aveți deja unul.\n\nAutentificare: {signInLink}\nV-ați uitat parola? Resetați-o: {resetLink}\n\nDacă nu ați fost dumneavoastră, puteți ignora acest mesaj; nu s-a schimbat nimic.\n',
  'mail.account.already_registered.html':
    '<p>Cineva (poate chiar dumneavoastră) a încercat să creeze un cont cu această adresă de e-mail, dar aveți deja unul.</p><p><a href="{signInLink}">Autentificare</a> · <a href="{resetLink}">Resetați parola</a></p><p>Dacă nu ați fost dumneavoastră, puteți ignora acest mesaj; nu s-a schimbat nimic.</p>',
  'mail.social.link_account.subject': 'Asociați {provider} contului dumneavoastră',
  'mail.social.link_account.text':
    'Cineva (poate chiar dumneavoastră) s-a autentificat cu {provider} folosind această adresă de e-mail, care are deja un cont.\n\nPentru a asocia {provider} contului, deschideți acest link (valabil {expiresSeconds}, o singură dată):\n{link}\n\nDacă nu ați fost dumneavoastră, ignorați acest mesaj: nu se asociază nimic.\n',
  'mail.social.link_account.html':
    '<p>Cineva (poate chiar dumneavoastră) s-a autentificat cu {provider} folosind această adresă de e-mail, care are deja un cont.</p><p><a href="{link}">Asociați {provider} contului dumneavoastră</a> (valabil {expiresSeconds}, o singură dată)</p><p>Dacă nu ați fost dumneavoastră, ignorați acest mesaj: nu se asociază nimic.</p>',
  'mail.account.reset_password.subject': 'Resetați parola',
  'mail.account.reset_password.text':
    'Cineva (poate chiar dumneavoastră) a cerut resetarea parolei contului.\n\nAlegeți o parolă nouă aici (valabil {expiresSeconds}, o singură dată):\n{link}\n\nDacă nu ați cerut acest lucru, ignorați mesajul: parola rămâne neschimbată.\n',
  'mail.account.reset_password.html':
    '<p>Cineva (poate chiar dumneavoastră) a cerut resetarea parolei contului.</p><p><a href="{link}">Alegeți o parolă nouă</a> (valabil {expiresSeconds}, o singură dată)</p><p>Dacă nu ați cerut acest lucru, ignorați mesajul: parola rămâne neschimbată.</p>',
  'mail.account.confirm_new_email.subject': 'Confirmați noua adresă de e-mail',
  'mail.account.confirm_new_email.text':
    'Ați cerut ca această adresă să devină adresa principală de e-mail a contului.\n\nConfirmați-o aici (valabil {expiresSeconds}, o singură dată):\n{link}\n\nPână la confirmare rămâne în uz adresa veche. Dacă nu ați cerut acest lucru, ignorați mesajul.\n',
  'mail.account.confirm_new_email.html':
    '<p>Ați cerut ca această adresă să devină adresa principală de e-mail a contului.</p><p><a href="{link}">Confirmați noua adresă de e-mail</a> (valabil {expiresSeconds}, o singură dată)</p><p>Până la confirmare rămâne în uz adresa veche. Dacă nu ați cerut acest lucru, ignorați mesajul.</p>',
  'mail.account.email_changed.subject': 'Adresa de e-mail a contului a fost schimbată',
  'mail.account.email_changed.text':
    'Adresa principală de e-mail a contului este acum {newEmail}.\n\nDacă nu ați fost dumneavoastră, anulați schimbarea în cel mult 7 zile (aceasta deconectează pe toată lumea din cont):\n{undoLink}\n',
  'mail.account.email_changed.html':
    '<p>Adresa principală de e-mail a contului este acum <strong>{newEmail}</strong>.</p><p>Dacă nu ați fost dumneavoastră, <a href="{undoLink}">anulați schimbarea</a> în cel mult 7 zile (aceasta deconectează pe toată lumea din cont).</p>',
  'mail.account.password_changed.subject': 'Parola a fost schimbată',
  'mail.account.password_changed.text':
    'Parola contului tocmai a fost schimbată, iar celelalte dispozitive au fost deconectate.\n\nDacă nu ați fost dumneavoastră, resetați parola acum și verificați contul: {accountLink}\n',
  'mail.account.password_changed.html':
    '<p>Parola contului tocmai a fost schimbată, iar celelalte dispozitive au fost deconectate.</p><p>Dacă nu ați fost dumneavoastră, resetați parola acum și <a href="{accountLink}">verificați contul</a>.</p>',
  'mail.otp.token_registered.subject': 'A fost înregistrată o aplicație OTP nouă',
  'mail.otp.token_registered.text':
    'O aplicație OTP nouă ({serial}) a fost înregistrată pentru contul dumneavoastră.\n\nDacă nu ați fost dumneavoastră, contactați imediat suportul IT.\n',
  'mail.otp.token_registered.html':
    '<p>O aplicație OTP nouă (<strong>{serial}</strong>) a fost înregistrată pentru contul dumneavoastră.</p><p>Dacă nu ați fost dumneavoastră, contactați imediat suportul IT.</p>',
  'mail.otp.token_replaced.subject': 'A fost înregistrată o aplicație OTP nouă',
  'mail.otp.token_replaced.text':
    'O aplicație OTP nouă ({serial}) a fost înregistrată pentru contul dumneavoastră. Codurile aplicației anterioare ({revoked}) nu mai funcționează.\n\nDacă nu ați fost dumneavoastră, contactați imediat suportul IT.\n',
  'mail.otp.token_replaced.html':
    '<p>O aplicație OTP nouă (<strong>{serial}</strong>) a fost înregistrată pentru contul dumneavoastră. Codurile aplicației anterioare ({revoked}) nu mai funcționează.</p><p>Dacă nu ați fost dumneavoastră, contactați imediat suportul IT.</p>',
  'mail.account.deleted.subject': 'Contul a fost șters',
  'mail.account.deleted.text':
    'Contul și datele lui au fost șterse, iar toate aplicațiile au fost deconectate. Vă puteți înregistra din nou cu această adresă oricând.\n',
  'mail.account.deleted.html':
    '<p>Contul și datele lui au fost șterse, iar toate aplicațiile au fost deconectate. Vă puteți înregistra din nou cu această adresă oricând.</p>',
  // Aplicația PC (apps/desktop-token): terminalul și fereastra ei.
  'desktop.app_name': 'Tokenul desktop Tessera',
  'desktop.vault_missing':
    'Niciun token nu este încă înregistrat pe acest PC. Rulați „desktop-token register” (sau deschideți aplicația) mai întâi.',
  'desktop.vault_erased':
    'Tokenul de pe acest PC a fost șters după 10 PIN-uri greșite la rând. Înregistrați-vă din nou: aveți nevoie de parola din director, de ID-ul de angajat și de un cod prin SMS sau de la suportul IT.',
  'desktop.vault_unreadable':
    'Fișierul tokenului este deteriorat sau nu este un fișier de token Tessera. Înregistrați-vă din nou.',
  'desktop.wrong_pin': 'PIN greșit (sau acest fișier de token a fost înregistrat pe alt PC).',
  'desktop.wait': 'Prea multe PIN-uri greșite: așteptați înainte de a încerca din nou.',
  'desktop.weak_pin': 'PIN-ul trebuie să aibă între 6 și 64 de caractere.',
  'desktop.serial_unreadable':
    'Numărul de serie al acestui PC nu poate fi citit așa cum a fost citit la înregistrare (rulați aplicația ca același utilizator) sau deloc. Înregistrați-vă din nou sau cereți ajutorul suportului IT.',
  'desktop.server_refused': 'Tessera a refuzat cererea.',
  'desktop.server_unreachable': 'Tessera nu poate fi contactat. Verificați rețeaua și adresa serverului.',
  'desktop.https_only': '{address}: doar https',
  'desktop.tries_left':
    '{count, plural, one {A mai rămas # încercare} few {Au mai rămas # încercări} other {Au mai rămas # de încercări}} până când tokenul este șters de pe acest PC.',
  'desktop.last_try': 'Încă un PIN greșit șterge tokenul de pe acest PC; ar trebui apoi să vă înregistrați din nou.',
  'desktop.next_try': 'Următoarea încercare peste {seconds}.',
  'desktop.unexpected': 'Eroare neașteptată: {message}',
  'desktop.prompt_server': 'Adresa Tessera (https://…): ',
  'desktop.prompt_name': 'Codul IT: ',
  'desktop.prompt_password': 'Parola din director: ',
  'desktop.prompt_employee_id': 'ID de angajat: ',
  'desktop.prompt_code': 'Codul din SMS sau codul de înregistrare (r: retrimiteți SMS-ul): ',
  'desktop.prompt_pin': 'PIN: ',
  'desktop.prompt_current_pin': 'PIN-ul actual: ',
  'desktop.prompt_new_pin': 'PIN nou (între 6 și 64 de caractere): ',
  'desktop.prompt_pin_again': 'Același PIN încă o dată: ',
  'desktop.pins_differ': 'Cele două PIN-uri diferă.',
  'desktop.new_pins_differ': 'Cele două PIN-uri noi diferă.',
  'desktop.sms_sent':
    'Un cod prin SMS a fost trimis la {number}. Nu ați primit SMS-ul? Cereți suportului IT un cod de înregistrare.',
  'desktop.sms_late':
    'Un cod prin SMS este pe drum spre {number}, dar poate întârzia. Nu ați primit SMS-ul? Cereți suportului IT un cod de înregistrare.',
  'desktop.no_sms': 'Nu se poate trimite niciun SMS: cereți suportului IT un cod de înregistrare.',
  'desktop.sms_resent': 'Un cod nou prin SMS a fost trimis la {number}.',
  'desktop.already_registered':
    'Acest PC are deja un token: o nouă înregistrare îl înlocuiește (și aplicația de pe telefon, dacă există).',
  'desktop.registered': 'Înregistrat: tokenul {serial}.',
  'desktop.registered_replaces': 'Înlocuiește {serials}.',
  'desktop.pin_note':
    'PIN-ul deblochează acest token doar pe acest PC; nu se schimbă decât dacă îl schimbați („change-pin”).',
  'desktop.pin_changed': 'PIN-ul a fost schimbat. Codurile rămân aceleași.',
  'desktop.code_left': 'Au mai rămas {left} s (tokenul {serial}); codul următor: {next}.',
  'desktop.clock_unknown':
    'Nu s-a putut afla ora de la Tessera; dacă codurile sunt refuzate, verificați ceasul PC-ului.',
  'desktop.clock_ahead':
    'Ceasul acestui PC este cu {offset} s înaintea celui al Tessera: codurile pot fi refuzate. Setați ceasul automat.',
  'desktop.clock_behind':
    'Ceasul acestui PC este cu {offset} s în urma celui al Tessera: codurile pot fi refuzate. Setați ceasul automat.',
  'desktop.window_open':
    'Aplicația este deschisă la {url} (adresa funcționează doar pe acest PC, până la închiderea aplicației).',
  'desktop.about_version': 'Tokenul desktop Tessera {version} (versiunea {flavour}, Node.js {node}, {platform})',
  'desktop.about_vault': 'Fișierul tokenului: {path} ({state})',
  'desktop.about_serial': 'Numărul de serie citit din: {how}',
  'desktop.about_serial_error': 'Număr de serie: {error}',
  'desktop.about_sent':
    'Trimis către Tessera: un hash cu sare al numărului de serie la înregistrare, niciodată numărul însuși.',
  'desktop.about_test': 'Comutatoarele de test sunt pornite: aceasta nu este o versiune de lansare.',
  'desktop.nav_code': 'Cod',
  'desktop.nav_register': 'Înregistrare nouă',
  'desktop.nav_change_pin': 'Schimbați PIN-ul',
  'desktop.nav_about': 'Despre',
  'desktop.register_title': 'Înregistrați acest PC',
  'desktop.pin_title': 'Alegeți PIN-ul',
  'desktop.enter_pin': 'Introduceți PIN-ul',
  'desktop.code_title': 'Codul dumneavoastră',
  'desktop.no_token_title': 'Niciun token pe acest PC',
  'desktop.erased_note': 'Tokenul a fost șters după 10 PIN-uri greșite.',
  'desktop.server': 'Adresa Tessera',
  'desktop.password': 'Parola din director',
  'desktop.pin': 'PIN',
  'desktop.current_pin': 'PIN-ul actual',
  'desktop.new_pin': 'PIN nou (între 6 și 64 de caractere)',
  'desktop.pin_again': 'Același PIN încă o dată',
  'desktop.unlock': 'Deblocați',
  'desktop.lock': 'Blocați',
  'desktop.register': 'Înregistrați',
  'desktop.seconds_left': 'Au mai rămas {left} s. Tokenul {serial}.',
  'desktop.registration_ended': 'Înregistrarea s-a încheiat: începeți din nou.',
  'desktop.not_found': 'Negăsit',
};
