package sasl

import (
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"time"

	"github.com/samsa-streaming/samsa/internal/config"
)

// validatorHandler is the only sasl.server.callback.handler.class Samsa
// accepts: Kafka's OAUTHBEARER validator with JWKS keys. Kafka's default,
// the unsecured validator that trusts unsigned tokens, is not offered.
const validatorHandler = "org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler"

// Listener is what one SASL listener authenticates with.
type Listener struct {
	mechanisms []string
	plain      PlainUsers
	scram      ScramCredentials
	oauth      *JWTValidator
	reauth     map[string]time.Duration
	maxReceive int32
}

// NewListener reads a listener's SASL settings (listener- and
// mechanism-prefixed properties resolved as Kafka resolves them). scram
// may be nil when no SCRAM mechanism is enabled.
func NewListener(cfg *config.Broker, listener string, scram ScramCredentials, lg *slog.Logger) (*Listener, error) {
	l := &Listener{
		mechanisms: config.SplitList(cfg.ListenerValue(listener, "sasl.enabled.mechanisms")),
		scram:      scram,
		reauth:     make(map[string]time.Duration),
	}
	if len(l.mechanisms) == 0 {
		return nil, fmt.Errorf("sasl: listener %s: sasl.enabled.mechanisms is empty", listener)
	}
	n, _ := strconv.ParseInt(cfg.ListenerValue(listener, "sasl.server.max.receive.size"), 10, 32)
	l.maxReceive = int32(n)
	for _, mech := range l.mechanisms {
		if err := l.enable(cfg, listener, mech, lg); err != nil {
			return nil, fmt.Errorf("sasl: listener %s: %s: %w", listener, mech, err)
		}
		ms, _ := strconv.ParseInt(cfg.MechanismValue(listener, mech, "connections.max.reauth.ms"), 10, 64)
		l.reauth[mech] = time.Duration(ms) * time.Millisecond
	}
	return l, nil
}

func (l *Listener) enable(cfg *config.Broker, listener, mech string, lg *slog.Logger) error {
	get := func(name string) string { return cfg.MechanismValue(listener, mech, name) }
	switch mech {
	case Plain:
		jaas := get("sasl.jaas.config")
		if jaas == "" {
			return errors.New("PLAIN needs a sasl.jaas.config with the users (listener.name.<listener>.plain.sasl.jaas.config)")
		}
		mods, err := ParseJAAS(jaas)
		if err != nil {
			return err
		}
		l.plain = PlainUsersFromJAAS(mods)
		if len(l.plain.digests) == 0 {
			lg.Warn("PLAIN is enabled but its JAAS config names no user_<name> of PlainLoginModule", "listener", listener)
		}
	case ScramSHA256, ScramSHA512:
		if l.scram == nil {
			return errors.New("SCRAM needs a credential store (samsa.Options.ScramCredentials)")
		}
	case OAuthBearer:
		return l.enableOAuth(get, lg)
	case "GSSAPI":
		return errors.New("GSSAPI (Kerberos) is not supported; set sasl.enabled.mechanisms (Kafka's default is GSSAPI)")
	default:
		return errors.New("unknown SASL mechanism")
	}
	return nil
}

func (l *Listener) enableOAuth(get func(string) string, lg *slog.Logger) error {
	if h := get("sasl.server.callback.handler.class"); h != "" && h != validatorHandler {
		return fmt.Errorf("sasl.server.callback.handler.class %s is not supported; use %s", h, validatorHandler)
	}
	endpoint := get("sasl.oauthbearer.jwks.endpoint.url")
	if endpoint == "" {
		return errors.New("OAUTHBEARER needs sasl.oauthbearer.jwks.endpoint.url (unsigned tokens are not accepted)")
	}
	jwks, err := openJWKS(endpoint, lg)
	if err != nil {
		return err
	}
	skew, _ := strconv.Atoi(get("sasl.oauthbearer.clock.skew.seconds"))
	l.oauth = &JWTValidator{
		Keys:     jwks.current,
		Audience: config.SplitList(get("sasl.oauthbearer.expected.audience")),
		Issuer:   get("sasl.oauthbearer.expected.issuer"),
		Skew:     time.Duration(skew) * time.Second,
		SubClaim: get("sasl.oauthbearer.sub.claim.name"),
		Now:      time.Now,
	}
	return nil
}

// Mechanisms are the enabled mechanisms, in the configured order.
func (l *Listener) Mechanisms() []string { return l.mechanisms }

// Enabled reports whether a mechanism is enabled.
func (l *Listener) Enabled(mech string) bool { return slices.Contains(l.mechanisms, mech) }

// MaxReauth is connections.max.reauth.ms for a mechanism (0: off).
func (l *Listener) MaxReauth(mech string) time.Duration { return l.reauth[mech] }

// MaxReceive is sasl.server.max.receive.size: the largest request taken
// before authentication completes.
func (l *Listener) MaxReceive() int32 { return l.maxReceive }

// Start begins an exchange with an enabled mechanism.
func (l *Listener) Start(mech string) (Exchange, error) {
	if !l.Enabled(mech) {
		return nil, fmt.Errorf("sasl: mechanism %q is not enabled", mech)
	}
	switch mech {
	case Plain:
		return &plainExchange{users: l.plain}, nil
	case ScramSHA256, ScramSHA512:
		return newScramExchange(mech, l.scram)
	case OAuthBearer:
		return &oauthExchange{v: l.oauth}, nil
	}
	return nil, fmt.Errorf("sasl: mechanism %q is not implemented", mech)
}
