"""A small English part-of-speech lexicon for video prompts: word classes and verb inflections, no logic beyond lookup.

The structurer's shallow parser (``clauses.py``) decides between the classes a
word may have from its neighbours; this module only says which classes a word
*can* have. Unknown words are nouns.
"""

from __future__ import annotations

from functools import lru_cache


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


DETERMINERS = _words("""
    a an the this that these those each every some any another
""")
NUMBERS = _words("""
    one two three four five six seven eight nine ten eleven twelve dozens hundreds thousands millions
    several many few
""")
POSSESSIVES = _words("""
    his her their its my our your
""")
PRONOUNS = _words("""
    he she they it we i you him them us everyone everybody someone somebody nobody something everything
    himself herself itself themselves each other
""")
PREPOSITIONS = _words("""
    in on at into onto over under through across along around past toward towards from to of with without by
    near beside behind between among above below beneath inside outside within upon against during like amid
    amidst alongside throughout via
""")
PARTICLES = _words("""
    up down out off away back over around in aside forward forwards
""")
CONJUNCTIONS = _words("""
    and or but
""")
AUXILIARIES = _words("""
    is are was were be been being gets get got becomes become seems seem has have had
""")
#: Nouns that count something else: "a herd of elephants" is about the elephants.
QUANTITY_NOUNS = _words("""
    herd flock group crowd pair couple row line pack school swarm bunch handful team family stack pile
    dozens hundreds thousands millions lots lot number cluster string series collection fleet army colony
    pod troop gaggle litter set one
""")
#: Words that name the camera or the shot, never the subject.
CAMERA_NOUNS = _words("""
    camera cam drone shot shots lens view viewpoint pov close-up closeup time-lapse timelapse hyperlapse footage video
    clip frame angle panorama macro motion fly-through flythrough flyover push-in pull-back 4k 8k hd uhd
    quality render we scene style
""")
ADVERBS = _words("""
    very together overhead upward upwards downward downwards again still high low slowly quickly gently
    softly side then now soon just almost nearly alone apart inside outside nearby below beyond far
""")
_LY_NOT_ADVERBS = _words("""
    family lily fly butterfly dragonfly firefly belly jelly bully rally ally supply reply lonely lovely
    friendly elderly curly early ugly holy silly jolly hilly chilly
""")

# Verb roots a video prompt uses (actions, motion, change); inflections are generated below.
_VERB_ROOTS = _words("""
curl uncurl crest ebb billow
mend polish hammer saw drill weld solder sand glue tape fasten button zip lace adjust
topple unfold flutter wag wiggle giggle chuckle nuzzle cuddle preen stalk leap vault sprint dash rush
flicker glisten sway bob wobble teeter totter hurry scurry scamper waddle stagger shuffle trudge climb scale
create make produce cause reflect glisten shimmer glimmer gleam radiate emit release absorb flood surround
encircle flee escape capture snatch whirl sprinkle collect arrange decorate lock unlock knock step tiptoe
sneak creep swoop admire examine inspect observe notice spot discover uncover expose display present
walk run jog sprint dance jump leap hop skip fly float drift swim dive climb fall rise sit stand turn spin twirl
look smile laugh cry weep talk sing play eat drink hold carry throw catch kick push pull open close write read
ride drive race chase follow crawl roll glide wave nod reach grab pour cook paint build burn melt grow bloom
crash explode shine glow flicker flow rush move travel wander stroll fight hug kiss wait watch stare gaze sleep
wake emerge appear disappear vanish enter exit leave arrive approach cross sway shake tremble flap soar hover
land blow splash ripple pass reveal become change transform light fade bounce slide skate surf ski march gallop
trot prowl stalk pounce breathe blink raise lower lift drop put place feed pet stir yawn shout scream yell point
clap tap type chop toss slice knead bake sip bite chew stretch kneel bow paddle sail howl bark purr chirp roar
growl hiss buzz swarm graze peck nibble sniff lick scratch dig hunt fish cast sink splash drip drain fill empty
pulse beat throb swirl twist morph rotate shift shrink expand swell burst pop crack shatter break smash collapse
crumble erupt spark sparkle glitter twinkle blaze smolder freeze thaw boil steam bubble fizz foam spill leak
spray spread scatter gather assemble dissolve evaporate condense form emerge unfold fold wrap unwrap tie knit
sew weave stitch repair fix build craft carve sculpt draw sketch strum pluck drum tune hum whistle ring chime
cheer applaud wink frown grin glare glance peek peer search explore hike trek wade dip dunk splash scuba snorkel
skydive parachute surf kayak row steer park honk brake accelerate speed zoom swerve drift skid overtake launch
orbit descend ascend hang swing dangle climb crawl slither wriggle squirm coil uncoil strike sprout wilt sway
ripple crash swell recede lap wash carry sweep dust mop wipe scrub clean hang dry iron fold stack sort pack
unpack load unload deliver hand give take receive offer show hide seek find lose drop pick choose start begin
stop end finish continue keep try fail win hit miss shoot aim fire charge attack defend block dodge duck jump
flip somersault cartwheel tumble balance juggle spin grind kickflip perform rehearse pose model strut stride
limp stumble trip slip fall collapse faint rest relax nap doze dream think read study learn teach listen hear
speak whisper call answer argue nod shrug sigh gasp cough sneeze hiccup tremble shiver sweat blush glow fade dim
brighten darken flash strobe pulse illuminate cover uncover coat drench soak rain snow hail pour drizzle thunder
storm shine set dawn heel lean tilt bend kneel crouch squat sprawl lie perch nest hatch molt shed graze browse
forage migrate circle loop dart zip whiz hurtle plunge plummet tumble cascade trickle gush surge churn rumble
quake vibrate wobble jiggle clink clatter creak rustle crackle sizzle simmer stew fry grill roast toast mix
whisk blend shake serve taste smell touch stroke caress brush comb braid cut trim shave wash bathe shower splash
towel dress undress wear hold embrace cuddle snuggle wrestle box punch kick spar fence duel salute march parade
celebrate toast dine feast shop browse pay count check text call phone scroll swipe tap click type code print
fly hover patrol
""")
_IRREGULAR = {
    "run": "ran run running", "fly": "flew flown flies flying", "swim": "swam swum swimming", "sit": "sat sitting",
    "stand": "stood", "fall": "fell fallen", "rise": "rose risen", "eat": "ate eaten", "drink": "drank drunk",
    "hold": "held", "throw": "threw thrown", "catch": "caught", "ride": "rode ridden", "drive": "drove driven",
    "write": "wrote written", "grow": "grew grown", "blow": "blew blown", "shine": "shone", "wake": "woke woken",
    "leave": "left", "become": "became", "light": "lit", "put": "put", "lie": "lay lain lying lies",
    "shake": "shook shaken", "dig": "dug digging", "sink": "sank sunk", "spread": "spread", "break": "broke broken",
    "freeze": "froze frozen", "strike": "struck", "take": "took taken", "give": "gave given", "hide": "hid hidden",
    "find": "found", "lose": "lost", "begin": "began begun beginning", "win": "won winning", "hit": "hit hitting",
    "shoot": "shot", "hang": "hung", "swing": "swung", "think": "thought", "teach": "taught", "hear": "heard",
    "speak": "spoke spoken", "sweep": "swept", "cut": "cutting", "wear": "wore worn", "keep": "kept",
    "feed": "fed", "burst": "burst", "spin": "spun spinning", "slide": "slid", "dive": "dove", "leap": "leapt",
    "kneel": "knelt", "sing": "sang sung", "ring": "rang rung", "bite": "bit bitten", "draw": "drew drawn",
    "forget": "forgot", "bend": "bent", "set": "setting", "weep": "wept", "build": "built", "fight": "fought",
    "seek": "sought", "sell": "sold", "tell": "told", "bring": "brought", "buy": "bought", "meet": "met",
}  # fmt: skip
#: Verb roots that are common nouns too: "waves crash" (noun) vs "she waves" (verb); the parser decides by context.
NOUN_TOO = _words("""
    wave land light fall rain fly drop spark play walk run dance fish race crash watch turn smoke swim heel
    charge steam paint cross pass ride jump spin kiss hug rise roll pulse bloom cheer clap flip twist swirl
    ripple surf ski skate dust snow stretch nap dive climb glow flash flow sail leave cook park type point
    call text stroke comb brush storm thunder hail drizzle beat break crack pop burst spray foam bubble coat
    cover hand pick start stop end set dawn shower toast stew box fence duel parade feast count check phone
    code print loop circle lie rest dream cough sigh gasp sneeze shot show drive strike hit miss aim fire
    block trip tumble slip line row pack stack load model pose search hike trek wash iron mop shift form
    fold tie braid cut trim shave dress wear duck lean nest orbit zoom spread change smile laugh cry look
    shout scream yell stare gaze glance peek bark roar growl hiss buzz purr howl chirp chime ring drum hum
    whistle wink frown grin glare bow sip bite chew scratch lick sniff tap knock kick punch push pull lift
""")


def _inflections(root: str) -> set[str]:
    """The root, its -s, -ing and -ed forms (regular spelling rules, with and without a doubled consonant)."""
    forms = {root}
    if root.endswith(("s", "x", "z", "ch", "sh", "o")):
        forms.add(root + "es")
    elif root.endswith("y") and root[-2:-1] not in "aeiou":
        forms.add(root[:-1] + "ies")
    else:
        forms.add(root + "s")
    if root.endswith("ie"):
        forms.add(root[:-2] + "ying")
    elif root.endswith("e") and not root.endswith(("ee", "ye", "oe")):
        forms.update({root[:-1] + "ing", root + "d"})
    else:
        forms.update({root + "ing", root + "ed"})
    if root.endswith("y") and root[-2:-1] not in "aeiou":
        forms.add(root[:-1] + "ied")
    if len(root) >= 3 and root[-1] not in "aeiouwxy" and root[-2] in "aeiou" and root[-3] not in "aeiou":
        forms.update({root + root[-1] + "ing", root + root[-1] + "ed"})
    return forms


def _verb_forms() -> dict[str, str]:
    forms: dict[str, str] = {}
    for root in sorted(_VERB_ROOTS):
        for form in _inflections(root):
            forms.setdefault(form, root)
        for form in _IRREGULAR.get(root, "").split():
            forms.setdefault(form, root)
    return forms


VERB_FORMS: dict[str, str] = _verb_forms()


ADJECTIVES = _words("""
    old young little big small tall short long giant tiny huge large red orange yellow green blue purple
    pink white black gray grey brown golden silver dark bright pale northern southern eastern western misty
    snowy rocky sunny foggy rainy stormy cloudy windy dusty sandy icy frozen empty busy quiet lonely lone
    calm wild lush dry wet warm cold hot cozy soft hard heavy light thin thick deep shallow high low wide
    narrow vast distant ancient modern vintage rusty shiny glossy fluffy furry hairy muddy leafy grassy
    starry moonlit crowded narrow colorful colourful abstract neon elderly single entire whole full half
""")
#: plurals without an "s" ("people dance": a bare verb agrees with them)
IRREGULAR_PLURALS = _words("people children men women sheep deer fish mice geese police cattle teeth feet")
# words ending in "-ing" that are nouns, not verbs
_ING_NOUNS = _words("""
    building ceiling evening morning painting clothing wedding ring king spring string thing wing swing
    sibling earring pudding darling lightning sling duckling seedling icing stuffing railing awning ping
    anything something everything nothing pudding viking dumpling offspring
""")


def is_adjective(word: str) -> bool:
    return word in ADJECTIVES or (len(word) > 5 and word.endswith(("ous", "ful", "less", "ive", "ern")))


@lru_cache(maxsize=4096)
def verb_root(word: str) -> str:
    """The verb root of ``word`` ("runs" -> "run"; an unknown "-ing" word, its stem), or "" when it is no verb form."""
    lowered = word.lower()
    if lowered in VERB_FORMS:
        return VERB_FORMS[lowered]
    if lowered.endswith("ing") and len(lowered) > 5 and lowered not in _ING_NOUNS and lowered.isalpha():
        return lowered[:-3]
    return ""


def is_ing(word: str) -> bool:
    return word.lower().endswith("ing") and bool(verb_root(word))


def is_participle(word: str) -> bool:
    """A past form ("parked", "struck"), read as a participle that describes a noun unless an auxiliary precedes it."""
    lowered = word.lower()
    root = verb_root(lowered)
    return bool(root) and not lowered.endswith(("ing", "s")) and lowered != root


def is_noun_too(word: str) -> bool:
    """A verb form that is also a common noun ("waves", "lands", "watch")."""
    lowered = word.lower()
    root = verb_root(lowered)
    return not root or root in NOUN_TOO


def is_adverb(word: str) -> bool:
    lowered = word.lower()
    return lowered in ADVERBS or (lowered.endswith("ly") and len(lowered) > 4 and lowered not in _LY_NOT_ADVERBS)


_FUNCTION_WORDS = DETERMINERS | NUMBERS | POSSESSIVES | PRONOUNS | PREPOSITIONS | PARTICLES | CONJUNCTIONS | AUXILIARIES


def is_known(word: str) -> bool:
    """An English word of the lexicon (function word, verb form, adjective, camera word)."""
    return word in _FUNCTION_WORDS or word in CAMERA_NOUNS or word in ADJECTIVES or bool(verb_root(word)) or is_adverb(word)
