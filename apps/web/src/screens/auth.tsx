/** Sign in, create an account, verify the email with its 6-digit code. */
import { useState } from 'preact/hooks';
import { errorCode, plainWords } from '../errors.js';
import { anonymousRest, signIn } from '../state.js';

type Mode = 'login' | 'register' | 'verify';

export function AuthScreen({ intro }: { intro?: string }) {
  const [mode, setMode] = useState<Mode>('login');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [nickname, setNickname] = useState('');
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [info, setInfo] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (failure) {
      if (errorCode(failure) === 'EMAIL_NOT_VERIFIED') setMode('verify');
      setError(plainWords(failure));
    } finally {
      setBusy(false);
    }
  };

  const submit = (event: Event) => {
    event.preventDefault();
    if (mode === 'login')
      void run(async () => {
        const { token, user } = await anonymousRest.auth.login({ email, password });
        signIn(token, user);
      });
    else if (mode === 'register')
      void run(async () => {
        const { token, user } = await anonymousRest.auth.register({ email, password, nickname });
        signIn(token, user);
      });
    else
      void run(async () => {
        await anonymousRest.auth.verifyEmail({ email, code: code.trim() });
        setInfo('Your email is verified. You can sign in now.');
        setMode('login');
      });
  };

  return (
    <main class="auth">
      <h1 class="brand">Parley</h1>
      {intro && <p class="intro">{intro}</p>}
      <div class="tabs" role="tablist" aria-label="Account">
        {(['login', 'register'] as const).map((m) => (
          <button
            type="button"
            role="tab"
            aria-selected={mode === m}
            class={mode === m ? 'tab active' : 'tab'}
            onClick={() => {
              setMode(m);
              setError(null);
            }}
          >
            {m === 'login' ? 'Sign in' : 'Create account'}
          </button>
        ))}
      </div>
      <form class="card" onSubmit={submit} aria-label={mode === 'verify' ? 'Verify email' : mode}>
        <label>
          Email
          <input
            name="email"
            type="email"
            autoComplete="email"
            required
            value={email}
            onInput={(e) => setEmail(e.currentTarget.value)}
          />
        </label>
        {mode === 'register' && (
          <label>
            Name
            <input
              name="nickname"
              required
              maxLength={32}
              autoComplete="nickname"
              value={nickname}
              onInput={(e) => setNickname(e.currentTarget.value)}
            />
          </label>
        )}
        {mode !== 'verify' && (
          <label>
            Password
            <input
              name="password"
              type="password"
              required
              minLength={8}
              autoComplete={mode === 'register' ? 'new-password' : 'current-password'}
              value={password}
              onInput={(e) => setPassword(e.currentTarget.value)}
            />
          </label>
        )}
        {mode === 'verify' && (
          <label>
            Code from the email
            <input
              name="code"
              inputMode="numeric"
              pattern="[0-9]{6}"
              required
              autoComplete="one-time-code"
              value={code}
              onInput={(e) => setCode(e.currentTarget.value)}
            />
          </label>
        )}
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        {info && <p class="info">{info}</p>}
        <button type="submit" class="primary" disabled={busy}>
          {mode === 'login' ? 'Sign in' : mode === 'register' ? 'Create account' : 'Verify'}
        </button>
        {mode === 'login' && (
          <button type="button" class="link" onClick={() => setMode('verify')}>
            I have a verification code
          </button>
        )}
      </form>
    </main>
  );
}

/** The banner shown while signed in with an unverified email. */
export function VerifyBanner({ email, onVerified }: { email: string; onVerified: () => void }) {
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [sent, setSent] = useState(false);
  return (
    <form
      class="verify"
      aria-label="Verify your email"
      onSubmit={async (event) => {
        event.preventDefault();
        try {
          await anonymousRest.auth.verifyEmail({ email, code: code.trim() });
          onVerified();
        } catch (failure) {
          setError(plainWords(failure));
        }
      }}
    >
      <span>Verify {email}: enter the 6-digit code we sent.</span>
      <input
        name="verify-code"
        aria-label="Verification code"
        inputMode="numeric"
        pattern="[0-9]{6}"
        required
        value={code}
        onInput={(e) => setCode(e.currentTarget.value)}
      />
      <button type="submit">Verify</button>
      <button
        type="button"
        class="link"
        disabled={sent}
        onClick={async () => {
          await anonymousRest.auth.resendVerification({ email }).catch(() => {});
          setSent(true);
        }}
      >
        {sent ? 'Sent' : 'Send again'}
      </button>
      {error && (
        <span class="error" role="alert">
          {error}
        </span>
      )}
    </form>
  );
}
