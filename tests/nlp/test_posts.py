"""Posts pasted into articles (an embedded tweet's text, then "— Name (@handle) Date") are their authors'
quotes: passages written in the form the sites print them, as article extraction leaves them."""

from pipeline.nlp.analyze import analyze
from pipeline.nlp.posts import author_canonical, embedded_posts

TWEET_SAME_LINE = (
    "The network barely covered the result.\n\n"
    "Harrowing, bracing moment when Tucker Carlson was forced to declare Northam the winner. "
    "pic.twitter.com/LmzsBB7RYT — Josh Marshall (@joshtpm) November 8, 2017\n\n"
    "Others noticed too.")
TWEET_OWN_LINE = ("Les étudiants ont manifesté mardi.\n"
                  "Un texte de la semaine à lire absolument https://t.co/Iuc819izMj\n"
                  "— Solidaires Étudiant-e-s Saint-Denis (@SolidairesEtuP8) February 17, 2020\n")


def test_post_words_without_links_and_author():
    [post] = embedded_posts(TWEET_SAME_LINE)
    assert TWEET_SAME_LINE[post.start:post.end] == (
        "Harrowing, bracing moment when Tucker Carlson was forced to declare Northam the winner.")
    assert post.author == "Josh Marshall"


def test_signature_on_its_own_line_takes_the_line_above():
    [post] = embedded_posts(TWEET_OWN_LINE)
    assert TWEET_OWN_LINE[post.start:post.end] == "Un texte de la semaine à lire absolument"
    assert post.author == "Solidaires Étudiant-e-s Saint-Denis"


def test_no_post_without_a_signature_at_the_end_of_a_line():
    prose = ("The senator — Jane Doe (@janedoe) on social media — said the bill would pass.\n"
             "Follow our reporter — Ann Lee (@annlee) for updates\n"
             "Two words — Bob Ray (@bobray) May 2, 2019\n")  # the last: too short to be anyone's words
    assert embedded_posts(prose) == []


def test_author_is_the_article_person_with_the_surname():
    people = ["Donald Trump", "Ed Gillespie", "Donald J. Trump"]
    assert author_canonical("Donald J. Trump", people) == "Donald Trump"
    assert author_canonical("Ravinder S. Bhalla", ["Ravi Bhalla"]) == "Ravi Bhalla"
    assert author_canonical("Josh Marshall", ["Ed Gillespie"]) == "Josh Marshall"
    assert author_canonical("Ann Lee", ["Bo Lee", "Cy Lee"]) == "Ann Lee"  # two of them: neither


def test_post_is_a_quote_by_its_author_in_the_article():
    text = ("President Donald Trump, tweeting on Tuesday, blamed the candidate for the loss.\n\n"
            "Ed Gillespie worked hard but did not embrace me or what I stand for. "
            "— Donald J. Trump (@realDonaldTrump) November 8, 2017\n\n"
            "Gillespie did not respond to a request for comment.")
    [result] = analyze([text], "en")
    [post] = [q for q in result.quotes if "did not embrace me" in q.quote]
    assert post.quote == "Ed Gillespie worked hard but did not embrace me or what I stand for."
    assert (post.speaker, post.speaker_canonical, post.kind) == ("Donald J. Trump", "Donald Trump", "direct")
    assert [q.start for q in result.quotes] == sorted(q.start for q in result.quotes)
